"""Credential offers as QR images for a phone camera."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def offer_qr_png(offer_uri: str) -> bytes:
    # M: survives a smudged screen or print without making a by-value offer too dense
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(offer_uri)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
