"""QR images (PNG and SVG) of a QR payload text, drawn from ``qrcode``'s module matrix.

PNG: qrcode's ``make_image()`` paints every module through PIL draw calls, which dominates a
desk scanner's refresh of a 30-second mobile-ID QR. We take the boolean matrix and write a
1-bit greyscale PNG ourselves: each QR row becomes one packed scanline by bytes operations
(module bits expanded ``box_size`` times via a lookup, no per-pixel Python loop), repeated
``box_size`` times, then zlib. The text is forced into one alphanumeric segment when it
fits that alphabet (our payloads always do), which is what keeps them at version ≤ 15.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

import qrcode
import qrcode.constants
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

_ECC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def build_qr(text: str, *, ecc: str = "M", border: int = 4) -> qrcode.QRCode:
    """A fitted QRCode (smallest version) holding ``text`` as a single segment."""
    qr = qrcode.QRCode(version=None, error_correction=_ECC[ecc], border=border)
    mode = MODE_ALPHA_NUM if text and set(text) <= _ALPHANUMERIC else MODE_8BIT_BYTE
    qr.add_data(QRData(text.encode("utf-8"), mode=mode))
    qr.make(fit=True)
    return qr


def qr_version(text: str, *, ecc: str = "M") -> int:
    return int(build_qr(text, ecc=ecc).version)


def module_matrix(text: str, *, ecc: str = "M", border: int = 4) -> list[list[bool]]:
    """Rows of modules including the quiet zone; True is dark."""
    return build_qr(text, ecc=ecc, border=border).get_matrix()


@cache
def _expanded_bits(box_size: int) -> tuple[str, str]:
    # one module -> box_size pixels; PNG greyscale 1-bit: 0 is black, 1 is white
    return "0" * box_size, "1" * box_size


def render_png(text: str, *, ecc: str = "M", box_size: int = 8, border: int = 4) -> bytes:
    return png_from_matrix(module_matrix(text, ecc=ecc, border=border), box_size=box_size)


def png_from_matrix(matrix: list[list[bool]], *, box_size: int = 8) -> bytes:
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    width = len(matrix) * box_size
    dark, light = _expanded_bits(box_size)
    pad = "1" * (-width % 8)
    row_bytes = (width + 7) // 8
    scanlines = []
    for row in matrix:
        # build the row's pixel bits as a string and let int() pack them: one C call per row
        bits = "".join(dark if module else light for module in row) + pad
        scanline = b"\x00" + int(bits, 2).to_bytes(row_bytes, "big")  # filter type 0 (None)
        scanlines.append(scanline * box_size)
    raw = b"".join(scanlines)
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def render_svg(text: str, *, ecc: str = "M", box_size: int = 8, border: int = 4) -> str:
    """A standalone SVG: one path of unit squares in a viewBox scaled by ``box_size``."""
    matrix = module_matrix(text, ecc=ecc, border=border)
    size = len(matrix)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, module in enumerate(row) if module
    )
    pixels = size * box_size
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{pixels}" height="{pixels}" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
