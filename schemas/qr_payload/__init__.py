"""The compact QR payload.

    text            = "KD1:" | "KM1:"  base45( device )
    device          = COSE_Sign1 [ h'{1: alg}', {}, bstr(presentation), sig64 ]   external_aad = "KD1:"/"KM1:"
    presentation    = { 6: iat, 4: exp, 7: jti (4-16 B), ?10: nonce, -65537: bstr(issuer) }
    issuer          = COSE_Sign1 [ h'{1: alg}', {}, bstr(raw DEFLATE with the v1 preset dictionary (credential)), sig64 ]
                      (no kid: keys of iss tried; the signature covers the compressed bytes)
    credential      = { 1: iss, 4: exp, ?6: iat, 8: {1: COSE_Key}, ?7: cti,
                        -65537: [type code, claims], ?-65538: [status list id, idx] }
    claims          = short integer keys from claim_keys.toml, dates as tag 100

The normative description is docs/qr-format.md. The device key comes from the issuer-signed
cnf, the algorithm from the key; see each module for the reasons (envelope, zdict,
claim_keys, cose_key); verification is verifiers.qr.presentation_signatures.
"""

from schemas.qr_payload.claim_keys import QrType, QrTypeTable, default_type_table, load_type_table
from schemas.qr_payload.cose_key import cose_key_from_jwk, jwk_from_cose_key
from schemas.qr_payload.decode import QrLimits, UnverifiedQrPresentation, decode_qr_text
from schemas.qr_payload.envelope import FORMAT_VERSION, PREFIX_FAMILIES, prefix_for
from schemas.qr_payload.issuer_part import (
    StatusRef,
    UnsignedIssuerPart,
    build_issuer_part,
    encode_issuer_part,
    short_kid,
)
from schemas.qr_payload.presentation import (
    UnsignedPresentation,
    build_presentation,
    finish_presentation,
    presentation_text_length,
)
from schemas.qr_payload.protocols import DeviceKeyFactory, IssuerKeyResolver, PayloadSigner, SignatureKey

__all__ = [
    "FORMAT_VERSION",
    "PREFIX_FAMILIES",
    "DeviceKeyFactory",
    "IssuerKeyResolver",
    "PayloadSigner",
    "QrLimits",
    "QrType",
    "QrTypeTable",
    "SignatureKey",
    "StatusRef",
    "UnsignedIssuerPart",
    "UnsignedPresentation",
    "UnverifiedQrPresentation",
    "build_issuer_part",
    "build_presentation",
    "cose_key_from_jwk",
    "decode_qr_text",
    "default_type_table",
    "encode_issuer_part",
    "finish_presentation",
    "jwk_from_cose_key",
    "load_type_table",
    "prefix_for",
    "presentation_text_length",
    "short_kid",
]
