"""Rejections specific to the compact QR payload (``schemas.qr_payload``).

Each hardening step has its own stable code so a desk scanner's log says which guard fired
(a zlib bomb is not the same incident as a typo'd prefix). All of them stay inside the one
tree: every class here is a ``Malformed`` (or a ``VerificationError``), so a caller that only
knows ``schemas.errors`` still renders them as 400 problems.
"""

from __future__ import annotations

from schemas.errors import Malformed


class QrMalformed(Malformed):
    """The QR text decoded, but its CBOR/COSE structure is not the one we issue."""

    code, title = "malformed", "Malformed QR payload"


class QrPrefixUnknown(QrMalformed):
    code, title = "qr_prefix_unknown", "Unknown QR payload prefix"


class QrVersionUnsupported(QrMalformed):
    code, title = "qr_version_unsupported", "Unsupported QR payload version"


class QrTextTooLong(QrMalformed):
    code, title = "qr_text_too_long", "QR text too long"


class QrEncodingInvalid(QrMalformed):
    code, title = "qr_encoding_invalid", "QR text is not base45"


class QrCompressionInvalid(QrMalformed):
    code, title = "qr_compression_invalid", "QR payload is not a valid zlib stream"


class QrTooLarge(QrMalformed):
    """The compressed payload would inflate past the bound: refused before inflating further."""

    code, title = "qr_too_large", "QR payload inflates beyond the allowed size"


class QrCborTooDeep(QrMalformed):
    code, title = "qr_cbor_too_deep", "QR payload nests too deeply"


class QrCborTooLong(QrMalformed):
    code, title = "qr_cbor_too_long", "QR payload has too many CBOR items"


class QrCborIndefinite(QrMalformed):
    code, title = "qr_cbor_indefinite", "Indefinite-length CBOR is not accepted"


class QrCborTagUnexpected(QrMalformed):
    code, title = "qr_cbor_tag_unexpected", "Unexpected CBOR tag"


class QrJtiInvalid(QrMalformed):
    code, title = "qr_jti_invalid", "Presentation id has the wrong length"
