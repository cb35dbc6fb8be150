"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow.

offers (credential offer + pre-authorized code + optional tx_code) → tokens (token endpoint,
access tokens) → nonces (nonce endpoint) → proofs (``openid4vci-proof+jwt``) →
credential_request (credential endpoint, calls the issuance pipeline). ``metadata`` builds
the issuer and authorization-server metadata from the type registry.

Every secret handed to a wallet (pre-authorized code, access token, c_nonce) is stored only
as its SHA-256, and every one of them is single use and expires: a copy of the database
cannot redeem anything. No web framework is imported here.
"""
