"""A strict, bounded CBOR decoder for QR payloads.

Why not ``cbor2.loads``: it accepts indefinite lengths, every registered tag (shared
references, regexes, decimal fractions, ...) and any nesting, and turns them into Python
objects before we could look at the shape. The QR payload uses a tiny subset of CBOR, so we
decode exactly that subset and refuse the rest, with a stable code per refusal, while
counting depth and items. Every declared length is checked against the bytes that remain
before anything is sliced, so a 5-byte header cannot make us allocate 4 GiB.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from schemas.qr_errors import (
    QrCborIndefinite,
    QrCborTagUnexpected,
    QrCborTooDeep,
    QrCborTooLong,
    QrMalformed,
)

_MAJOR_UINT, _MAJOR_NINT, _MAJOR_BYTES, _MAJOR_TEXT = 0, 1, 2, 3
_MAJOR_ARRAY, _MAJOR_MAP, _MAJOR_TAG, _MAJOR_SIMPLE = 4, 5, 6, 7
_AI_INDEFINITE = 31
_SIMPLE_VALUES = {20: False, 21: True, 22: None}


@dataclass(frozen=True)
class Tagged:
    """A tagged item whose tag was in the caller's allow-list."""

    tag: int
    value: Any


@dataclass(frozen=True)
class CborLimits:
    max_depth: int = 8
    max_items: int = 512
    allowed_tags: frozenset[int] = frozenset()


class _Reader:
    def __init__(self, data: bytes, limits: CborLimits) -> None:
        self.data = data
        self.pos = 0
        self.limits = limits
        self.items = 0

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise QrMalformed("CBOR item runs past the end of the payload")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def argument(self, ai: int) -> int:
        if ai < 24:
            return ai
        if ai == 24:
            return self.take(1)[0]
        if ai == 25:
            return int.from_bytes(self.take(2), "big")
        if ai == 26:
            return int.from_bytes(self.take(4), "big")
        if ai == 27:
            return int.from_bytes(self.take(8), "big")
        if ai == _AI_INDEFINITE:
            raise QrCborIndefinite()
        raise QrMalformed("reserved CBOR additional information")

    def item(self, depth: int) -> Any:
        if depth > self.limits.max_depth:
            raise QrCborTooDeep(f"nesting deeper than {self.limits.max_depth}")
        self.items += 1
        if self.items > self.limits.max_items:
            raise QrCborTooLong(f"more than {self.limits.max_items} CBOR items")
        initial = self.take(1)[0]
        major, ai = initial >> 5, initial & 0x1F
        if major == _MAJOR_SIMPLE:
            return self.simple(ai)
        arg = self.argument(ai)
        if major == _MAJOR_UINT:
            return arg
        if major == _MAJOR_NINT:
            return -1 - arg
        if major == _MAJOR_BYTES:
            return self.take(arg)
        if major == _MAJOR_TEXT:
            try:
                return self.take(arg).decode("utf-8")
            except UnicodeDecodeError:
                raise QrMalformed("CBOR text is not UTF-8") from None
        if major == _MAJOR_ARRAY:
            # each element needs at least one byte: refuse impossible counts before looping
            if arg > len(self.data) - self.pos:
                raise QrMalformed("CBOR array longer than the payload")
            return [self.item(depth + 1) for _ in range(arg)]
        if major == _MAJOR_MAP:
            return self.map(arg, depth)
        if arg not in self.limits.allowed_tags:
            raise QrCborTagUnexpected(f"CBOR tag {arg} is not expected here")
        return Tagged(arg, self.item(depth + 1))

    def map(self, count: int, depth: int) -> dict[Any, Any]:
        if 2 * count > len(self.data) - self.pos:
            raise QrMalformed("CBOR map longer than the payload")
        result: dict[Any, Any] = {}
        for _ in range(count):
            key = self.item(depth + 1)
            # only int and text keys: a bytes/array key cannot name a claim and would
            # otherwise be unhashable or ambiguous
            if isinstance(key, bool) or not isinstance(key, (int, str)):
                raise QrMalformed("CBOR map keys must be integers or text")
            if key in result:
                raise QrMalformed("duplicate CBOR map key")
            result[key] = self.item(depth + 1)
        return result

    def simple(self, ai: int) -> Any:
        if ai in _SIMPLE_VALUES:
            return _SIMPLE_VALUES[ai]
        if ai in (25, 26, 27):
            size, fmt = {25: (2, ">e"), 26: (4, ">f"), 27: (8, ">d")}[ai]
            value = struct.unpack(fmt, self.take(size))[0]
            if value != value or value in (float("inf"), float("-inf")):
                raise QrMalformed("non-finite float")
            return value
        if ai == _AI_INDEFINITE:
            raise QrCborIndefinite("CBOR break outside an indefinite item")
        raise QrMalformed("unsupported CBOR simple value")


def decode_strict(data: bytes, limits: CborLimits = CborLimits()) -> Any:
    """Decode exactly one CBOR item filling ``data``; anything else raises a QrMalformed."""
    reader = _Reader(data, limits)
    value = reader.item(0)
    if reader.pos != len(data):
        raise QrMalformed("trailing bytes after the CBOR item")
    return value
