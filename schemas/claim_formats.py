"""Named value formats a claim may declare (``format = "rrn"``).

The format name is free text in a type file; the ones listed here are also checked and
exported to JSON Schema. An unknown format is only an annotation, so a new type can name a
format before anyone teaches the checker about it.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

RRN = "rrn"

#: formats checked by a regular expression (exported as JSON Schema ``pattern``)
FORMAT_PATTERNS: dict[str, str] = {
    # 주민등록번호: YYMMDD-GNNNNNN; the check digit is not verified because foreign
    # registration numbers issued since 2020 no longer satisfy it
    RRN: r"^\d{6}-\d{7}$",
    "sha256": r"^[0-9a-f]{64}$",
    "iso3166": r"^[A-Z]{2}$",
    "iso4217": r"^[A-Z]{3}$",
    "year_month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "brn": r"^\d{3}-\d{2}-\d{5}$",
    "kr_driver_licence": r"^\d{2}-\d{2}-\d{6}-\d{2}$",
    "passport": r"^[A-Z0-9]{6,9}$",
    "flight": r"^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$",
}

#: formats JSON Schema 2020-12 itself defines (exported as ``format``)
STANDARD_FORMATS = frozenset({"date", "uri"})

#: formats whose numbers cannot be negative (amounts of money)
NON_NEGATIVE_FORMATS = frozenset({"krw"})

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_iso_date(value: str) -> bool:
    # date.fromisoformat alone also accepts "20200101" since 3.11; the wire form is dashed
    if not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def string_format_problem(fmt: str, value: str) -> str | None:
    """Why ``value`` does not have format ``fmt``, or None if it does (or fmt is unknown)."""
    pattern = FORMAT_PATTERNS.get(fmt)
    if pattern is not None and not re.match(pattern, value):
        return f"does not match format {fmt!r} ({pattern})"
    if fmt == "date" and not is_iso_date(value):
        return "is not an ISO date YYYY-MM-DD"
    if fmt == "uri" and not urlsplit(value).scheme:
        return "is not an absolute URI"
    return None
