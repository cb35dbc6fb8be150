"""A keyed pseudo-random permutation of ``[0, size)`` (balanced Feistel network with cycle
walking), so the n-th credential of a list lands at an unrelated index.

Handing out indices in issuance order would let anyone holding two credentials, or
watching a published list, link neighbouring entries to holders issued at about the same
time (draft-ietf-oauth-status-list §12.5 on unlinkability). Being a bijection, distinct
counters can never yield the same index, so uniqueness still rests only on the counter.
"""

from __future__ import annotations

import hashlib

#: a Luby–Rackoff construction needs at least four rounds to be pseudo-random; six is cheap
ROUNDS: int = 6
KEY_BYTES: int = 16


def _half_bits(size: int) -> int:
    # the Feistel domain is 2^(2h) >= size; cycle walking maps the excess back into range,
    # costing fewer than four rounds of walking on average since 2^(2h) < 4 * size
    bits = max((size - 1).bit_length(), 2)
    return (bits + 1) // 2


def _round_value(key: bytes, round_no: int, half: int, half_bits: int) -> int:
    digest = hashlib.blake2b(
        round_no.to_bytes(1, "big") + half.to_bytes(4, "big"), key=key, digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") & ((1 << half_bits) - 1)


def _feistel(value: int, key: bytes, half_bits: int) -> int:
    mask = (1 << half_bits) - 1
    left, right = value >> half_bits, value & mask
    for round_no in range(ROUNDS):
        left, right = right, left ^ _round_value(key, round_no, right, half_bits)
    return (left << half_bits) | right


def _feistel_inverse(value: int, key: bytes, half_bits: int) -> int:
    mask = (1 << half_bits) - 1
    left, right = value >> half_bits, value & mask
    for round_no in reversed(range(ROUNDS)):
        left, right = right ^ _round_value(key, round_no, left, half_bits), left
    return (left << half_bits) | right


def _check(value: int, size: int, key: bytes) -> None:
    if size < 1:
        raise ValueError("permutation size must be positive")
    if not 0 <= value < size:
        raise ValueError(f"{value} is outside [0, {size})")
    if len(key) < KEY_BYTES:
        raise ValueError(f"permutation key must be at least {KEY_BYTES} bytes")


def permute(counter: int, *, size: int, key: bytes) -> int:
    """The index for the ``counter``-th allocation of a list."""
    _check(counter, size, key)
    half_bits = _half_bits(size)
    value = _feistel(counter, key, half_bits)
    while value >= size:
        value = _feistel(value, key, half_bits)
    return value


def unpermute(index: int, *, size: int, key: bytes) -> int:
    """The counter that produced ``index``; tells whether an index has been handed out."""
    _check(index, size, key)
    half_bits = _half_bits(size)
    value = _feistel_inverse(index, key, half_bits)
    while value >= size:
        value = _feistel_inverse(value, key, half_bits)
    return value
