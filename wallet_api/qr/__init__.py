"""QR presentations wired into the app: customs declarations, mobile-ID QRs, the desk."""
