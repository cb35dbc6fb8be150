"""QR images (PNG and SVG) of a QR payload text.

Matrix: ``qr_symbols.matrix`` builds the same symbol ``qrcode`` would (same version,
codewords, mask choice, module for module) without qrcode's per-module scoring of all 8
masks, which was ~90% of a render. ``build_qr`` still returns qrcode's own ``QRCode`` for
callers that want that object (and as the reference in tests).

PNG: qrcode's ``make_image()`` paints every module through PIL draw calls, which dominates a
desk scanner's refresh of a 30-second mobile-ID QR. We write a 1-bit greyscale PNG
ourselves: each QR row is an int whose bytes (8 modules each) are widened ``box_size`` times
through a 256-entry table of packed pixel bytes (no per-pixel Python loop), the scanline is
repeated ``box_size`` times, then zlib. The text is forced into one alphanumeric segment when it
fits that alphabet (our payloads always do), which is what keeps them at version ≤ 15.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

import qrcode
import qrcode.constants
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from qr_symbols.matrix import QRSymbol, fit_version, make_symbol

_ECC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _segments(text: str) -> list[QRData]:
    mode = MODE_ALPHA_NUM if text and set(text) <= _ALPHANUMERIC else MODE_8BIT_BYTE
    return [QRData(text.encode("utf-8"), mode=mode)]


def build_qr(text: str, *, ecc: str = "M", border: int = 4) -> qrcode.QRCode:
    """qrcode's fitted QRCode (smallest version) holding ``text`` as a single segment.

    This is the library's slow path (it scores all 8 masks itself); rendering uses
    ``qr_symbol``, which yields the identical matrix."""
    qr = qrcode.QRCode(version=None, error_correction=_ECC[ecc], border=border)
    for segment in _segments(text):
        qr.add_data(segment)
    qr.make(fit=True)
    return qr


def qr_symbol(text: str, *, ecc: str = "M") -> QRSymbol:
    """The finished symbol (no quiet zone) holding ``text`` as a single segment."""
    return make_symbol(_segments(text), _ECC[ecc])


def qr_version(text: str, *, ecc: str = "M") -> int:
    # only the capacity tables are needed: no codewords, no matrix
    return fit_version(_segments(text), _ECC[ecc])


def module_matrix(text: str, *, ecc: str = "M", border: int = 4) -> list[list[bool]]:
    """Rows of modules including the quiet zone; True is dark."""
    return qr_symbol(text, ecc=ecc).matrix(border)


@cache
def _widen(box_size: int) -> tuple[bytes, ...]:
    # 8 modules (one byte, first module in the top bit) -> their 8 * box_size pixels packed
    # in box_size bytes; PNG greyscale 1-bit: 0 is black, so dark modules become 0 bits
    table = []
    for byte in range(256):
        pixels = "".join(("0" if byte >> (7 - i) & 1 else "1") * box_size for i in range(8))
        table.append(int(pixels, 2).to_bytes(box_size, "big"))
    return tuple(table)


_BOOL_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def render_png(text: str, *, ecc: str = "M", box_size: int = 8, border: int = 4) -> bytes:
    if border < 0:
        raise ValueError("border must not be negative")
    symbol = qr_symbol(text, ecc=ecc)
    return _png([int(row, 2) for row in symbol.rows()], symbol.size, box_size=box_size, border=border)


def png_from_matrix(matrix: list[list[bool]], *, box_size: int = 8) -> bytes:
    """A PNG of a boolean module matrix (quiet zone, if any, already included)."""
    # bytes(row) turns the bools into 0/1 bytes in C; translate makes them digits for int()
    rows = [int(bytes(row).translate(_BOOL_DIGITS) or b"0", 2) for row in matrix]
    return _png(rows, len(matrix), box_size=box_size, border=0)


def _png(rows: list[int], size: int, *, box_size: int, border: int) -> bytes:
    """``rows`` hold ``size`` modules each, first module in the top bit, 1 dark; ``border``
    light modules are added around them."""
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    modules = size + 2 * border
    width = modules * box_size
    row_bytes = (width + 7) // 8
    table = _widen(box_size)
    # whole bytes of modules: the left border is the int's leading zeros, the right border and
    # the padding to a multiple of 8 modules are the shift (light, and cut off or PNG padding)
    module_bytes = (modules + 7) // 8
    shift = 8 * module_bytes - border - size
    blank = (b"\x00" + b"\xff" * row_bytes) * (border * box_size)  # filter byte 0 (None) + white
    scanlines = [blank]
    for row in rows:
        pixels = b"".join(map(table.__getitem__, (row << shift).to_bytes(module_bytes, "big")))
        scanlines.append((b"\x00" + pixels[:row_bytes]) * box_size)
    scanlines.append(blank)
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
