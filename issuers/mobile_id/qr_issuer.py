"""The issuer part of a mobile-ID QR: the claims one verifier profile needs, signed by the
issuer for the holder's device key, pointing at the credential's status list entry.

Signed on request from the wallet's stored (verified) credential rather than once at
issuance: a profile shows only its few claims (an adult check shows no name), and a short
issuer-part life (``exp``) means a lost phone's cached parts die quickly too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keys.b64 import b64url_decode
from keys.jws import Signer
from schemas.errors import InvalidInput
from schemas.qr_payload import StatusRef, encode_issuer_part

FAMILY = "KM"


def status_ref(uri_id: str, idx: int) -> StatusRef:
    """The compact status reference of a list whose URI ends in ``uri_id`` (base64url bytes)."""
    return StatusRef(b64url_decode(uri_id), idx)


def project_claims(claims: Mapping[str, Any], names: Sequence[str], *, type_id: str) -> dict[str, Any]:
    missing = [name for name in names if claims.get(name) is None]
    if missing:
        raise InvalidInput(f"this {type_id} has no {', '.join(missing)} to show", claims=missing)
    return {name: claims[name] for name in names}


def sign_mobile_id_part(
    *,
    signer: Signer,
    type_id: str,
    agency_id: str,
    claims: Mapping[str, Any],
    claim_names: Sequence[str],
    holder_jwk: Mapping[str, Any],
    status: StatusRef,
    exp: int,
) -> bytes:
    return encode_issuer_part(
        signer=signer,
        type_id=type_id,
        claims=project_claims(claims, claim_names, type_id=type_id),
        holder_jwk=holder_jwk,
        iss=agency_id,
        exp=exp,
        status=status,
    )
