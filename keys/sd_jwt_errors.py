"""Errors of the SD-JWT wire format (RFC 9901).

They extend ``JWSMalformed`` so that a caller who only knows the JWS tree still treats a
broken SD-JWT as malformed; the verifier tells the two apart to pick a domain code.
"""

from keys.errors import JWSMalformed


class SdJwtMalformed(JWSMalformed):
    """The ``~`` serialization, or the issuer-signed JWT inside it, cannot be parsed."""


class DisclosureMalformed(SdJwtMalformed):
    """A disclosure is not a base64url JSON array ``[salt, name, value]`` or ``[salt, value]``."""
