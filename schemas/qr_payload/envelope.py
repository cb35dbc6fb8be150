"""The text around the CBOR: ``<family><version>:`` + base45(device COSE_Sign1), and the
DEFLATE of the issuer part's payload.

Base45 (RFC 9285) uses exactly the QR alphanumeric alphabet, which packs 5.5 bits per
character instead of byte mode's 8 bits per (at most 7-bit-useful) character; the prefix
(upper-case letters, a digit, a colon) stays inside that alphabet so the whole text is one
alphanumeric segment.

Only the issuer's claims payload is compressed, and the issuer signs the compressed bytes.
Everything else - two signatures, the presentation's times and jti - is random or fixed
width: DEFLATE cannot shorten it, and when it was compressed with the rest its Huffman cost
varied from one signature to the next (a declaration measured 597-601 characters against a
limit of 600). Now the text's length is an exact function of the compressed claims, known
before anything is signed. Decoding refuses before it spends: length first, then alphabet,
then an inflate that stops at a byte bound (a zlib bomb never gets past ``max_inflated_bytes``).
"""

from __future__ import annotations

import zlib

import base45

from schemas.qr_errors import (
    QrCompressionInvalid,
    QrEncodingInvalid,
    QrPrefixUnknown,
    QrTextTooLong,
    QrTooLarge,
    QrVersionUnsupported,
)
from schemas.qr_payload.zdict import PRESET_DICTIONARY

#: prefix family -> what it carries; the digit after it is the format version
PREFIX_FAMILIES: dict[str, str] = {"KD": "customs_declaration", "KM": "mobile_id"}
FORMAT_VERSION = 1
BASE45_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_PREFIX_SCAN = 8  # "KD1:" is 4; a longer run without ':' is not one of ours


def prefix_for(family: str, version: int = FORMAT_VERSION) -> str:
    if family not in PREFIX_FAMILIES:
        raise ValueError(f"unknown QR prefix family {family!r}")
    return f"{family}{version}:"


#: raw DEFLATE (RFC 1951), not the zlib wrapper (RFC 1950): the wrapper's 2-byte header,
#: 4-byte dictionary id and 4-byte Adler-32 are 15 QR characters, and buy nothing here -
#: the prefix digit names the dictionary and two signatures cover every byte
_WBITS = -15


def compress(cbor_bytes: bytes) -> bytes:
    # the preset dictionary holds the byte skeleton every payload repeats (CBOR/COSE
    # framing, claim keys, common codes): see zdict.py for why and what
    compressor = zlib.compressobj(9, zlib.DEFLATED, _WBITS, zdict=PRESET_DICTIONARY)
    return compressor.compress(cbor_bytes) + compressor.flush()


def encode_text(family: str, cbor_bytes: bytes) -> str:
    return prefix_for(family) + base45.b45encode(cbor_bytes).decode("ascii")


def text_length(family: str, cbor_length: int) -> int:
    """The exact length of ``encode_text`` for ``cbor_length`` bytes: 3 characters per 2 bytes,
    2 for a last odd byte (RFC 9285 §4)."""
    return len(prefix_for(family)) + 3 * (cbor_length // 2) + 2 * (cbor_length % 2)


def split_prefix(text: str) -> tuple[str, str]:
    """(family, base45 body); unknown families and versions refused with their own codes."""
    colon = text.find(":", 0, _PREFIX_SCAN)
    head = text[:colon] if colon >= 0 else ""
    family, version = head[:2], head[2:]
    if colon < 0 or family not in PREFIX_FAMILIES:
        raise QrPrefixUnknown(f"prefix {text[:_PREFIX_SCAN]!r} is not one we issue")
    if not version.isascii() or not version.isdigit():
        raise QrPrefixUnknown(f"prefix {head!r} has no version number")
    if int(version) != FORMAT_VERSION:
        raise QrVersionUnsupported(f"{family} version {version} is not supported (only {FORMAT_VERSION})")
    return family, text[colon + 1 :]


def decode_body(body: str) -> bytes:
    if not body or any(ch not in BASE45_ALPHABET for ch in body):
        raise QrEncodingInvalid("QR text has characters outside base45")
    try:
        return base45.b45decode(body)
    except ValueError:
        raise QrEncodingInvalid("QR text is not valid base45") from None


def inflate(compressed: bytes, *, max_inflated_bytes: int) -> bytes:
    inflater = zlib.decompressobj(_WBITS, zdict=PRESET_DICTIONARY)
    try:
        # ask for one byte more than allowed: getting it means the payload is over the bound
        out = inflater.decompress(compressed, max_inflated_bytes + 1)
    except zlib.error:
        raise QrCompressionInvalid("not a DEFLATE stream we can read") from None
    if len(out) > max_inflated_bytes or inflater.unconsumed_tail:
        raise QrTooLarge(f"payload inflates beyond {max_inflated_bytes} bytes")
    if not inflater.eof or inflater.unused_data:
        raise QrCompressionInvalid("DEFLATE stream is truncated or has trailing bytes")
    return out


def check_length(text: str, *, max_text_len: int) -> None:
    if len(text) > max_text_len:
        raise QrTextTooLong(f"QR text longer than {max_text_len} characters")
