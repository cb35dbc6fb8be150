"""QR presentations at a desk: named checks, profiles (``adult_check``, ``licence_check``,
``identity_check``, ``customs_gate``), and single-use marks kept in the database.

Offline (no session): only what the issuer keys and cached status lists can prove; the
result says which checks did not run. Online: also the device's state, whether a customs
declaration was superseded, and single use.
"""
