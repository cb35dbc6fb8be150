"""Mobile ID (driver licence, civil-servant ID) QR issuer parts, cut from a stored credential."""
