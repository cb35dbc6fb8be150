"""The cross-device QR of an ``openid4vp://`` request, as PNG and SVG."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(uri: str) -> qrcode.QRCode:
    # M: a request by reference is short (version ~10), so M costs little and survives glare
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(uri)
    code.make(fit=True)
    return code


def request_qr_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    _code(uri).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def request_qr_svg(uri: str) -> bytes:
    buffer = io.BytesIO()
    _code(uri).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
