"""Read a whole JSON document with a given decoder, exactly as ``decoder.decode`` would.

``JSONDecoder.decode`` matches a whitespace regex before and after the value, in Python, on
every call. Tokens and disclosures as senders produce them have no surrounding whitespace,
so the common case goes straight to the C scanner; anything else (whitespace around the
value, trailing data, not JSON at all) is handed to ``decode`` itself, which accepts or
raises exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def document_reader(decoder: json.JSONDecoder) -> Callable[[str], Any]:
    """``decoder.decode``'s behaviour, with the whitespace scan skipped when there is none."""
    scan_once = decoder.scan_once
    decode = decoder.decode

    def read(text: str) -> Any:
        try:
            value, end = scan_once(text, 0)
        except StopIteration:  # leading whitespace, or no JSON value at all
            return decode(text)
        if end != len(text):  # trailing whitespace or extra data
            return decode(text)
        return value

    return read
