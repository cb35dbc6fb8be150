"""A fast QR module matrix (ISO/IEC 18004), module-for-module identical to ``qrcode``'s.

``qrcode`` picks the mask by drawing all 8 masked symbols and scoring each with per-module
Python loops, which is ~90% of a render. Here the symbol is one big Python int, rows laid
out with a stride of ``size + 1`` so the spare bit of every row is a light-and-dark-free
separator: horizontal neighbours are 1-bit shifts, vertical neighbours ``stride`` shifts,
and each penalty rule (N1 runs, N2 2×2 blocks, N3 finder-like 1:1:3:1:1 + 4 light, N4 dark
share) becomes a handful of whole-symbol AND/shift/popcount operations per mask.

Everything that depends on the version only (function patterns, the zig-zag placement order,
the 8 mask patterns) is computed once per version and cached. Data bits are placed by a
single ``itemgetter`` over the codeword bit string instead of a per-module loop.

Parity with ``qrcode`` (checked by the tests on random inputs, not assumed):

* version: the smallest that holds the segments, as ``QRCode.best_fit``;
* codewords: same segment headers, terminator, pad bytes, Reed-Solomon blocks, interleave;
* mask: lowest penalty, ties to the lowest mask id. Like ``qrcode`` (``makeImpl(test=True)``)
  the candidates are scored with the format information, version information and the fixed
  dark module all light; the real bits are written only into the chosen symbol. Scoring
  with them drawn would sometimes choose another (equally valid) mask than ``qrcode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from qrcode import base, exceptions, util
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, MODE_NUMBER, QRData

__all__ = ["QRSymbol", "encode_codewords", "fit_version", "make_symbol", "mask_penalties"]

_ALNUM_VALUE = {char: value for value, char in enumerate(util.ALPHA_NUM)}
_NUMBER_TAIL_BITS = {0: 0, 1: 4, 2: 7}
_PAD_BYTES = (0xEC, 0x11)


@dataclass(frozen=True, slots=True)
class QRSymbol:
    """A finished symbol without quiet zone. ``bits`` holds ``size`` rows of '0'/'1' ('1' is
    dark), each followed by one separator character, so row ``r`` is
    ``bits[r * (size + 1) : r * (size + 1) + size]``."""

    version: int
    error_correction: int
    mask: int
    size: int
    bits: str
    penalties: tuple[int, ...]

    def rows(self) -> list[str]:
        stride = self.size + 1
        return [self.bits[start:start + self.size] for start in range(0, self.size * stride, stride)]

    def matrix(self, border: int = 0) -> list[list[bool]]:
        """Rows of modules including ``border`` light modules on each side; True is dark."""
        width = self.size + 2 * border
        edge = [False] * border
        blank = [[False] * width for _ in range(border)]
        body = [edge + [char == "1" for char in row] + edge for row in self.rows()]
        return blank + body + [[False] * width for _ in range(border)]


# --- data encoding -----------------------------------------------------------------------


def _segment_bits(segment: QRData) -> int:
    length = len(segment)
    if segment.mode == MODE_NUMBER:
        return 10 * (length // 3) + _NUMBER_TAIL_BITS[length % 3]
    if segment.mode == MODE_ALPHA_NUM:
        return 11 * (length // 2) + 6 * (length % 2)
    if segment.mode == MODE_8BIT_BYTE:
        return 8 * length
    raise ValueError(f"unsupported QR segment mode {segment.mode}")


def fit_version(segments: Sequence[QRData], error_correction: int) -> int:
    """The smallest version holding ``segments`` (what ``QRCode.best_fit`` settles on)."""
    payload = sum(4 + _segment_bits(segment) for segment in segments)
    limits = util.BIT_LIMIT_TABLE[error_correction]
    for version in range(1, 41):
        # the character-count field widens at versions 10 and 27, so recompute per version
        needed = payload + sum(util.length_in_bits(segment.mode, version) for segment in segments)
        if needed <= limits[version]:
            return version
    raise exceptions.DataOverflowError()


def _write_segment(segment: QRData, version: int) -> str:
    data: bytes = segment.data
    header = format(segment.mode, "04b") + format(len(data), f"0{util.length_in_bits(segment.mode, version)}b")
    if segment.mode == MODE_8BIT_BYTE:
        return header + (format(int.from_bytes(data, "big"), f"0{8 * len(data)}b") if data else "")
    if segment.mode == MODE_ALPHA_NUM:
        values = [_ALNUM_VALUE[char] for char in data]
        pairs = [format(45 * values[i] + values[i + 1], "011b") for i in range(0, len(values) - 1, 2)]
        if len(values) % 2:
            pairs.append(format(values[-1], "06b"))
        return header + "".join(pairs)
    if segment.mode == MODE_NUMBER:
        groups = (data[i:i + 3] for i in range(0, len(data), 3))
        return header + "".join(format(int(group), f"0{util.NUMBER_LENGTH[len(group)]}b") for group in groups)
    raise ValueError(f"unsupported QR segment mode {segment.mode}")


def encode_codewords(segments: Sequence[QRData], version: int, error_correction: int) -> bytes:
    """Data and error-correction codewords, interleaved, as ``qrcode.util.create_data``."""
    blocks = base.rs_blocks(version, error_correction)
    bit_limit = 8 * sum(block.data_count for block in blocks)
    bits = "".join(_write_segment(segment, version) for segment in segments)
    if len(bits) > bit_limit:
        raise exceptions.DataOverflowError(
            f"Code length overflow. Data size ({len(bits)}) > size available ({bit_limit})")
    bits += "0" * min(bit_limit - len(bits), 4)  # terminator
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    fill = bit_limit // 8 - len(data)
    data += bytes(_PAD_BYTES * (fill // 2 + 1))[:fill]

    data_blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    offset = 0
    for block in blocks:
        chunk = data[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_rs_remainder(chunk, block.total_count - block.data_count))
    return _interleave(data_blocks) + _interleave(ec_blocks)


def _interleave(blocks: list[bytes]) -> bytes:
    longest = max(len(block) for block in blocks)
    return bytes(block[i] for i in range(longest) for block in blocks if i < len(block))


@cache
def _gf_tables() -> tuple[list[int], list[int]]:
    exp = [0] * 512
    log = [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D  # QR's field polynomial x^8 + x^4 + x^3 + x^2 + 1
    for power in range(255, 512):
        exp[power] = exp[power - 255]  # lets products skip a modulo
    return exp, log


@cache
def _rs_feedback(ec_count: int) -> tuple[int, ...]:
    # For each possible feedback byte f, f·g(x) without its leading term, packed big-endian
    # into one int: the LFSR step below is then a shift, a mask and one XOR per data byte.
    exp, log = _gf_tables()
    generator = [1]
    for i in range(ec_count):  # g(x) = Π (x - α^i)
        root = exp[i]
        generator = [
            high ^ (exp[log[low] + log[root]] if low else 0)
            for high, low in zip(generator + [0], [0] + generator)
        ]
    tail = generator[1:]
    table = [0]
    for factor in range(1, 256):
        product = bytes(exp[log[factor] + log[coef]] if coef else 0 for coef in tail)
        table.append(int.from_bytes(product, "big"))
    return tuple(table)


def _rs_remainder(data: bytes, ec_count: int) -> bytes:
    table = _rs_feedback(ec_count)
    shift = 8 * (ec_count - 1)
    full = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & full) ^ table[(remainder >> shift) ^ byte]
    return remainder.to_bytes(ec_count, "big")


# --- module placement --------------------------------------------------------------------


def _mask_bit(mask: int, i: int, j: int) -> bool:
    if mask == 0:
        return (i + j) % 2 == 0
    if mask == 1:
        return i % 2 == 0
    if mask == 2:
        return j % 3 == 0
    if mask == 3:
        return (i + j) % 3 == 0
    if mask == 4:
        return (i // 2 + j // 3) % 2 == 0
    if mask == 5:
        return (i * j) % 2 + (i * j) % 3 == 0
    if mask == 6:
        return ((i * j) % 2 + (i * j) % 3) % 2 == 0
    return ((i * j) % 3 + (i + j) % 2) % 2 == 0


def _cells_to_int(cells: set[tuple[int, int]], size: int) -> int:
    stride = size + 1
    top = size * stride - 1
    value = 0
    for row, col in cells:
        value |= 1 << (top - row * stride - col)
    return value


@dataclass(frozen=True, slots=True)
class _Layout:
    size: int
    stride: int
    data_modules: int
    place: itemgetter  # codeword bit string (+ '0' sentinel) -> every cell of the symbol
    function_dark: int  # finders, separators, timing, alignment (format/version areas light)
    valid: int  # 1 on every cell, 0 on the row separators
    masks: tuple[int, ...]  # per mask: 1 on data cells it flips
    version_dark: int  # version information bits (versions >= 7) and the fixed dark module


@cache
def _layout(version: int) -> _Layout:
    size = 4 * version + 17
    grid: list[list[bool | None]] = [[None] * size for _ in range(size)]

    for top, left in ((0, 0), (size - 7, 0), (0, size - 7)):  # finders and their separators
        for r in range(-1, 8):
            for c in range(-1, 8):
                if 0 <= top + r < size and 0 <= left + c < size:
                    grid[top + r][left + c] = (
                        (0 <= r <= 6 and c in (0, 6)) or (0 <= c <= 6 and r in (0, 6)) or (2 <= r <= 4 and 2 <= c <= 4)
                    )
    centres = util.pattern_position(version)
    for row in centres:
        for col in centres:
            if grid[row][col] is not None:  # overlaps a finder
                continue
            for r in range(-2, 3):
                for c in range(-2, 3):
                    grid[row + r][col + c] = abs(r) == 2 or abs(c) == 2 or (r == 0 and c == 0)
    for i in range(8, size - 8):
        if grid[i][6] is None:
            grid[i][6] = i % 2 == 0
        if grid[6][i] is None:
            grid[6][i] = i % 2 == 0

    # format information, the dark module and version information: reserved, light while scoring
    near = (*range(9), *range(size - 8, size))
    reserved = {(i, 8) for i in near} | {(8, i) for i in near}
    reserved.discard((6, 8))
    reserved.discard((8, 6))
    if version >= 7:
        block = {(i // 3, size - 11 + i % 3) for i in range(18)}
        reserved |= block | {(col, row) for row, col in block}
    for row, col in reserved:
        grid[row][col] = False

    order: list[tuple[int, int]] = []  # the zig-zag of ISO/IEC 18004 7.7.3 (qrcode's map_data)
    row, step = size - 1, -1
    for col in range(size - 1, 0, -2):
        if col <= 6:  # skip the vertical timing column
            col -= 1
        while 0 <= row < size:
            for c in (col, col - 1):
                if grid[row][c] is None:
                    order.append((row, c))
            row += step
        row -= step
        step = -step

    stride = size + 1
    sentinel = len(order)  # a '0' appended to the bit string: function cells, separators, remainder
    index = [sentinel] * (size * stride)
    for k, (r, c) in enumerate(order):
        index[r * stride + c] = k
    cells = {(r, c) for r in range(size) for c in range(size)}
    dark = {(r, c) for r in range(size) for c in range(size) if grid[r][c]}
    version_dark = {(size - 8, 8)}
    if version >= 7:
        bits = util.BCH_type_number(version)
        for i in range(18):
            if bits >> i & 1:
                version_dark |= {(i // 3, size - 11 + i % 3), (size - 11 + i % 3, i // 3)}
    return _Layout(
        size=size,
        stride=stride,
        data_modules=len(order),
        place=itemgetter(*index),
        function_dark=_cells_to_int(dark, size),
        valid=_cells_to_int(cells, size),
        masks=tuple(_cells_to_int({(r, c) for r, c in order if _mask_bit(mask, r, c)}, size) for mask in range(8)),
        version_dark=_cells_to_int(version_dark, size),
    )


@cache
def _format_dark(version: int, error_correction: int, mask: int) -> int:
    # both copies of the 15 BCH-coded format bits, placed exactly where qrcode's setup_type_info puts them
    size = 4 * version + 17
    bits = util.BCH_type_info(error_correction << 3 | mask)
    cells: set[tuple[int, int]] = set()
    for i in range(15):
        if not bits >> i & 1:
            continue
        cells.add((i if i < 6 else i + 1 if i < 8 else size - 15 + i, 8))
        cells.add((8, size - i - 1 if i < 8 else 7 if i == 8 else 14 - i))
    return _cells_to_int(cells, size)


# --- mask scoring -------------------------------------------------------------------------


def _runs(plane: int, step: int) -> int:
    # N1: each run of L >= 5 same-colour modules costs L - 2. Bit p of `five` is set where
    # the 5 modules ending at p are all in the plane, so a run of length L leaves one block
    # of L - 4 set bits: popcount gives Σ(L - 4), block count adds the missing 2 per run.
    five = plane & plane >> step & plane >> 2 * step & plane >> 3 * step & plane >> 4 * step
    return five.bit_count() + 2 * (five & ~(five >> step)).bit_count()


def _finder_like(dark: int, light: int, step: int) -> int:
    # N3: dark-light-dark×3-light-dark with 4 light modules after (pattern 10111010000) or
    # before (00001011101), inside one row/column, as qrcode's _lost_point_level3 counts them
    core = (dark & light << step & dark << 2 * step & dark << 3 * step & dark << 4 * step
            & light << 5 * step & dark << 6 * step)
    four_light = light & light << step & light << 2 * step & light << 3 * step
    return (core & four_light << 7 * step).bit_count() + (four_light & core << 4 * step).bit_count()


def _penalty(dark: int, valid: int, size: int, stride: int) -> int:
    light = ~dark & valid
    n1 = _runs(dark, 1) + _runs(light, 1) + _runs(dark, stride) + _runs(light, stride)
    square = stride + 1
    n2 = (dark & dark >> 1 & dark >> stride & dark >> square).bit_count()
    n2 += (light & light >> 1 & light >> stride & light >> square).bit_count()
    n3 = _finder_like(dark, light, 1) + _finder_like(dark, light, stride)
    # the very float expression of qrcode's _lost_point_level4, so boundary cases round alike
    percent = float(dark.bit_count()) / (size**2)
    n4 = int(abs(percent * 100 - 50) / 5) * 10
    return n1 + 3 * n2 + 40 * n3 + n4


def _unmasked(codewords: bytes, layout: _Layout) -> int:
    stream = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b") if codewords else ""
    stream = stream[:layout.data_modules].ljust(layout.data_modules + 1, "0")
    return int("".join(layout.place(stream)), 2) | layout.function_dark


def mask_penalties(codewords: bytes, version: int) -> tuple[int, ...]:
    """Penalty of each mask 0-7, scored as qrcode scores them (reserved areas light)."""
    layout = _layout(version)
    unmasked = _unmasked(codewords, layout)
    return tuple(_penalty(unmasked ^ mask, layout.valid, layout.size, layout.stride) for mask in layout.masks)


def make_symbol(segments: Sequence[QRData], error_correction: int, *, mask: int | None = None) -> QRSymbol:
    """The fitted symbol for ``segments``; ``mask=None`` selects the lowest-penalty mask."""
    version = fit_version(segments, error_correction)
    codewords = encode_codewords(segments, version, error_correction)
    layout = _layout(version)
    unmasked = _unmasked(codewords, layout)
    penalties = tuple(_penalty(unmasked ^ pattern, layout.valid, layout.size, layout.stride)
                      for pattern in layout.masks)
    if mask is None:
        mask = penalties.index(min(penalties))  # index() returns the first: ties go to the lowest id
    elif not 0 <= mask <= 7:
        raise ValueError(f"mask must be 0-7, got {mask}")
    final = unmasked ^ layout.masks[mask] | layout.version_dark | _format_dark(version, error_correction, mask)
    total = layout.size * layout.stride
    return QRSymbol(version=version, error_correction=error_correction, mask=mask, size=layout.size,
                    bits=format(final, f"0{total}b"), penalties=penalties)
