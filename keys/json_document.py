"""Read a whole JSON document from input: bounded in nesting and size, otherwise exactly as
``decoder.decode`` would.

Every JSON document that comes from outside (JOSE headers and payloads, disclosures,
request bodies, fetched request objects and status lists) is read here.

Nesting: CPython's decoder recurses once per array or object, so ~1,000 levels (3 KB of
``[``) raise ``RecursionError``, and whatever stays below that is then walked recursively
by the code that reads it. A document nested deeper than ``MAX_DEPTH`` is refused before the
decoder sees it, with ``JSONDocumentRefused``: a ``ValueError``, so every caller that already
turns "not JSON" into its own 4xx code does the same for this.

The bound is checked without decoding (``nesting_within``), at C speed. A document with no
more than ``limit`` opening brackets cannot nest deeper (brackets inside strings only make
the count larger): that is every token and disclosure on the verify path, and the check
costs two ``count`` calls. Otherwise strings are cut out (escaped backslashes, then escaped
quotes, then every piece between two quotes), every other character but brackets dropped,
and the innermost pairs peeled off, one level per round: a document within the bound has
nothing left after ``limit`` rounds. Unbalanced brackets never peel away and are refused too
(the decoder would refuse them anyway).

Speed: ``JSONDecoder.decode`` matches a whitespace regex before and after the value, in
Python, on every call. Tokens and disclosures as senders produce them have no surrounding
whitespace, so the common case goes straight to the C scanner; anything else (whitespace
around the value, trailing data, not JSON at all) is handed to ``decode`` itself, which
accepts or raises exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from keys.errors import JSONDocumentRefused

#: arrays and objects inside one another: real documents (credentials, DCQL queries, request
#: bodies) nest fewer than 10; the SD-JWT verifier bounds rebuilt claims to the same depth
MAX_DEPTH = 32
#: characters in one document: the largest input anything reads (a fetched status list or
#: JWKS is capped at 4 MiB; request bodies and presentations are far smaller)
MAX_DOCUMENT_CHARS = 4 << 20

#: structural text → brackets only, both kinds as one: a mismatched pair is the decoder's to refuse
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _count_openers(text: str | bytes) -> int:
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def _outside_strings(text: str | bytes) -> bytes:
    """``text`` without its string literals, as ASCII (anything else is not JSON syntax)."""
    if isinstance(text, str):
        # escaped backslashes first, so that in "\\" the second one escapes nothing
        unescaped = text.replace("\\\\", "").replace('\\"', "")
        return "".join(unescaped.split('"')[::2]).encode("ascii", "ignore")
    unescaped_bytes = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(unescaped_bytes.split(b'"')[::2])


def nesting_within(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """True when no array or object in ``text`` sits more than ``limit`` deep (``[]`` is 1).

    False as well when the brackets outside strings do not balance. Exact for valid JSON;
    for text that is not, the decoder never gets deeper than this allows.
    """
    if _count_openers(text) <= limit:
        return True
    brackets = _outside_strings(text).translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return True
        brackets = brackets.replace(b"[]", b"")
    return not brackets


def check_document(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_DOCUMENT_CHARS) -> None:
    """Refuse (``JSONDocumentRefused``) a document longer or nested deeper than allowed."""
    if len(text) > max_chars:
        raise JSONDocumentRefused(f"JSON document longer than {max_chars} characters")
    if not nesting_within(text, max_depth):
        raise JSONDocumentRefused(f"JSON nested deeper than {max_depth} levels")


def document_reader(
    decoder: json.JSONDecoder, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_DOCUMENT_CHARS
) -> Callable[[str], Any]:
    """``decoder.decode``'s behaviour on documents within the bounds, with the whitespace scan
    skipped when there is none; ``JSONDocumentRefused`` for the others."""
    scan_once = decoder.scan_once
    decode = decoder.decode
    # a value nested n deep takes 2n characters: shorter documents need no counting (most
    # headers, KB-JWT payloads and disclosures); text that is not JSON fails the decoder
    # before it could go deeper than its length
    shallow = 2 * max_depth + 1

    def read(text: str) -> Any:
        # check_document inlined, fast path first: this runs several times per verification
        length = len(text)
        if length > shallow and (length > max_chars or (_count_openers(text) > max_depth and not nesting_within(text, max_depth))):
            check_document(text, max_depth=max_depth, max_chars=max_chars)
        try:
            try:
                value, end = scan_once(text, 0)
            except StopIteration:  # leading whitespace, or no JSON value at all
                return decode(text)
            if end != len(text):  # trailing whitespace or extra data
                return decode(text)
            return value
        except RecursionError:  # pragma: no cover - the nesting check keeps the decoder shallow
            raise JSONDocumentRefused("JSON nested too deeply") from None

    return read


_read_text = document_reader(json.JSONDecoder())


def read_json(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)`` for input: the same values and errors, within the bounds.

    Bytes are decoded as ``json.loads`` decodes them (UTF-8, or UTF-16/32 by their first
    bytes); a decoding failure is a ``ValueError`` like any other "not JSON".
    """
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_DOCUMENT_CHARS * 4:  # refused before decoding a huge buffer
            raise JSONDocumentRefused(f"JSON document longer than {MAX_DOCUMENT_CHARS} characters")
        data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    elif not isinstance(data, str):
        raise TypeError(f"the JSON object must be str, bytes or bytearray, not {type(data).__name__}")
    return _read_text(data)
