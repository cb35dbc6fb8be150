"""IETF Token Status List wire format (draft-ietf-oauth-status-list §4): the
``{"bits": n, "lst": base64url(zlib(bytes))}`` object, with no storage and no signing.

Statuses are packed least-significant-bit first: entry ``i`` of a ``bits``-wide list sits in
byte ``i * bits // 8`` at bit offset ``i * bits % 8``. The draft's example lists hold 2^20
entries, so everything here works on whole byte arrays or on the set entries only, never
with a Python loop over every entry of a list.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from schemas.errors import Malformed

VALID: int = 0
INVALID: int = 1
SUSPENDED: int = 2
#: the statuses an ecert issuer sets; 0x3 and the 4/8-bit values are application specific
ISSUER_STATUSES: frozenset[int] = frozenset({VALID, INVALID, SUSPENDED})

#: two bits carry VALID/INVALID/SUSPENDED with one spare value, the draft's usual choice
DEFAULT_BITS: int = 2
ALLOWED_BITS: frozenset[int] = frozenset({1, 2, 4, 8})

#: wire keys of the status list object
BITS_KEY = "bits"
LST_KEY = "lst"
#: the JWT form of a status list token: its header typ and its HTTP media type
STATUS_LIST_JWT_TYP = "statuslist+jwt"
STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"

#: refuse any list that inflates past this (a 2^20-entry 8-bit list, the draft's largest
#: example, is 1 MiB); checked while inflating so a zlib bomb never reaches memory
MAX_DECOMPRESSED_BYTES: int = 1 << 22
#: the draft recommends the highest level available: a list is signed once per ttl and
#: fetched by every verifier. Level 9 costs ~60 ms on a scattered 2^17-entry 2-bit list
#: where level 6 costs ~3 ms for ~9% more bytes; callers that rebuild often may pass 6
COMPRESSION_LEVEL: int = 9

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_NONZERO_BYTE = re.compile(rb"[^\x00]")


@dataclass(frozen=True)
class DecodedStatusList:
    """A status list inflated to its packed byte array."""

    bits: int
    packed: bytes

    def __len__(self) -> int:
        return len(self.packed) * 8 // self.bits

    def status_at(self, idx: int) -> int:
        """The status of entry ``idx``; an index outside the list is Malformed (draft §8.3
        makes an out-of-range index a validation failure, not a VALID default)."""
        if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < len(self):
            raise Malformed(f"status list index {idx!r} is outside a list of {len(self)} entries")
        bit_offset = idx * self.bits
        return (self.packed[bit_offset >> 3] >> (bit_offset & 7)) & ((1 << self.bits) - 1)

    def nonzero(self) -> dict[int, int]:
        """Every entry whose status is not VALID; cost grows with non-zero bytes, not size."""
        per_byte = 8 // self.bits
        mask = (1 << self.bits) - 1
        found: dict[int, int] = {}
        view = memoryview(self.packed)
        start = 0
        # the regex skips runs of zero bytes in C, which is what keeps 2^20 entries cheap
        while (match := _NONZERO_BYTE.search(view, start)) is not None:
            byte_index = match.start()
            value = view[byte_index]
            for slot in range(per_byte):
                status = (value >> (slot * self.bits)) & mask
                if status:
                    found[byte_index * per_byte + slot] = status
            start = byte_index + 1
        return found


def _check_bits(bits: Any) -> int:
    if isinstance(bits, bool) or bits not in ALLOWED_BITS:
        raise Malformed(f"status list bits must be one of {sorted(ALLOWED_BITS)}, got {bits!r}")
    return int(bits)


def packed_size(size: int, bits: int) -> int:
    """Bytes needed for ``size`` entries; lists are whole bytes, so size must fill them."""
    _check_bits(bits)
    if size <= 0 or (size * bits) % 8:
        raise ValueError(f"a {bits}-bit list needs a positive size that is a multiple of {8 // bits}")
    return size * bits // 8


def pack_statuses(statuses: Mapping[int, int], *, size: int, bits: int = DEFAULT_BITS) -> bytearray:
    """Pack the set entries (index → status) of a ``size``-entry list; unset entries are VALID."""
    packed = bytearray(packed_size(size, bits))
    limit = 1 << bits
    for idx, status in statuses.items():
        if not 0 <= idx < size:
            raise ValueError(f"index {idx} outside a list of {size} entries")
        if not 0 <= status < limit:
            raise ValueError(f"status {status} does not fit in {bits} bits")
        bit_offset = idx * bits
        packed[bit_offset >> 3] |= status << (bit_offset & 7)
    return packed


def encode_packed(
    packed: bytes | bytearray, *, bits: int = DEFAULT_BITS, level: int = COMPRESSION_LEVEL
) -> dict[str, Any]:
    """The wire object for an already packed byte array."""
    _check_bits(bits)
    compressed = zlib.compress(bytes(packed), level)
    return {BITS_KEY: bits, LST_KEY: base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")}


def encode_status_list(statuses: Iterable[int], *, bits: int = DEFAULT_BITS) -> dict[str, Any]:
    """The wire object for a dense array of statuses (its length must fill whole bytes)."""
    dense = list(statuses)
    return encode_packed(
        pack_statuses({i: s for i, s in enumerate(dense) if s}, size=len(dense), bits=bits), bits=bits
    )


def _b64url_decode(text: str) -> bytes:
    # schemas imports nothing from keys, so the strict unpadded base64url check lives here too
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise Malformed("status list lst is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):  # pragma: no cover - the regex already guards
        raise Malformed("status list lst is not base64url") from None


def inflate_bounded(compressed: bytes, max_bytes: int) -> bytes:
    """Inflate a zlib stream, refusing it as soon as it would exceed ``max_bytes``.

    ``decompress(data, max_length)`` stops producing output at the bound, so a bomb costs at
    most ``max_bytes`` of memory and the time to produce them.
    """
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, max_bytes)
        if not inflater.eof:
            # output stopped at the bound (or input ran out): one more byte of output means the
            # list is too big; a stream ending exactly at the bound only has its checksum left
            if inflater.decompress(inflater.unconsumed_tail, 1):
                raise Malformed(f"status list inflates past {max_bytes} bytes")
            if not inflater.eof:
                raise Malformed("status list zlib stream is truncated")
    except zlib.error:
        raise Malformed("status list lst is not a zlib stream") from None
    if inflater.unused_data:
        raise Malformed("status list has data after its zlib stream")
    return out


def decode_status_list(obj: Any, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> DecodedStatusList:
    """Decode the wire object; anything off-spec raises Malformed."""
    if not isinstance(obj, dict):
        raise Malformed("status_list must be a JSON object")
    bits = _check_bits(obj.get(BITS_KEY))
    lst = obj.get(LST_KEY)
    if not isinstance(lst, str) or not lst:
        raise Malformed("status list lst must be a non-empty string")
    packed = inflate_bounded(_b64url_decode(lst), max_bytes)
    if not packed:
        raise Malformed("status list is empty")
    return DecodedStatusList(bits=bits, packed=packed)
