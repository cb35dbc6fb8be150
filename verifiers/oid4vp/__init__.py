"""OpenID4VP verifier: presentation requests, DCQL, verifier identity, request QR."""
