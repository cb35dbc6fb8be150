"""The verifier console: relying-party staff check certificates in a browser.

Pages for the bank counter (OpenID4VP QR and live result), the customs desk and the
mobile-ID check (camera, photo or pasted QR text), and the document check number. It is a
client of the verifier: it shows what the relying party's API would hand back, never more.
"""
