"""The device-signed half, across the API: the server never holds a device key.

``start``: the server wraps an issuer part in a fresh presentation and hands the app the
exact bytes to sign (``signing_input``) plus the unsigned parts. ``finish``: the app returns
the parts and its signature; the server assembles the QR text and verifies it, exactly as a
desk would (offline checks), before drawing it - a QR the app could not get through a
scanner is refused here with the scanner's code rather than discovered at the gate.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from keys.b64 import b64url_decode, b64url_encode
from keys.jwk import thumbprint
from schemas.errors import Forbidden, InvalidInput
from qr_symbols.images import qr_version, render_png, render_svg
from schemas.qr_payload import UnsignedPresentation, build_presentation, finish_presentation
from schemas.qr_payload.envelope import PREFIX_FAMILIES
from schemas.qr_payload import wire_keys as k
from verifiers.qr.checks.signature import verify_with_services
from verifiers.qr.context import QrServices
from wallet_api.wallet.models import Device

JTI_BYTES = k.JTI_BYTES


def start(*, issuer_part: bytes, family: str, device_alg: str, now: int, ttl_s: int) -> dict[str, Any]:
    unsigned = build_presentation(
        issuer_part=issuer_part, family=family, device_alg=device_alg, now=now, ttl_s=ttl_s, jti=os.urandom(JTI_BYTES)
    )
    return {
        "family": unsigned.family,
        "protected": b64url_encode(unsigned.protected),
        "payload": b64url_encode(unsigned.payload),
        "signing_input": b64url_encode(unsigned.signing_input),
        "expires_at": datetime.fromtimestamp(now + ttl_s, UTC).isoformat(),
    }


def _decoded(value: str, what: str) -> bytes:
    try:
        return b64url_decode(value)
    except (ValueError, TypeError):
        raise InvalidInput(f"{what} is not base64url") from None


def finish(
    session: Session, *, holder_id: str, family: str, protected: str, payload: str, signature: str,
    services: QrServices, now: int,
) -> dict[str, Any]:
    if family not in PREFIX_FAMILIES:
        raise InvalidInput(f"unknown QR family {family!r}")
    unsigned = UnsignedPresentation(family, _decoded(protected, "protected"), _decoded(payload, "payload"))
    raw_signature = _decoded(signature, "signature")
    if len(raw_signature) != 64:
        raise InvalidInput("the device signature is 64 bytes (ES256 r||s or Ed25519)")
    text = finish_presentation(unsigned, raw_signature)
    verified = verify_with_services(text, services, now=now)
    # only the holder whose device the issuer bound it to gets it drawn
    device = session.exec(select(Device).where(Device.jkt == thumbprint(verified.holder_jwk))).first()
    if device is None or device.holder_id != holder_id:
        raise Forbidden("this QR is bound to another holder's device")
    return {
        "text": text,
        "qr_version": qr_version(text),
        "expires_at": datetime.fromtimestamp(verified.expires_at, UTC).isoformat(),
        "png_base64": base64.b64encode(render_png(text)).decode("ascii"),
        "svg": render_svg(text),
    }
