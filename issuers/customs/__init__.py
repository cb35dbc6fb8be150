"""The customs traveller declaration (여행자 휴대품 신고): the form, the allowance rules of the
arrival day, the duty estimate, risk flags, and declaration versions signed for the QR.

Rules and currency rates are data (``rules.toml``, ``rates.toml``) so a rule change is an
edit with an effective date, never a release.
"""
