"""QR symbols: the fast symbol builder (module for module what qrcode makes) and the one PNG/SVG renderer."""
