"""Resident registration numbers (주민등록번호): format, check digit, validation.

The synthetic registries must hand out numbers that look and validate like real ones so that
masking, lookups and the verifiers' format checks are exercised on realistic input.
"""

from __future__ import annotations

import re
from datetime import date

# The classic check-digit weights; the government dropped the region/check semantics for
# numbers issued after October 2020, but every validator in the wild still applies them.
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_FORMAT = re.compile(r"^(\d{6})-(\d{7})$")

#: gender/century digit → (century, is_male)
_GENDER_DIGITS: dict[str, tuple[int, bool]] = {
    "1": (1900, True),
    "2": (1900, False),
    "3": (2000, True),
    "4": (2000, False),
}


def check_digit(first_twelve: str) -> int:
    """The 13th digit for the given first twelve digits (hyphen removed)."""
    total = sum(int(d) * w for d, w in zip(first_twelve, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def gender_digit(birth_date: date, is_male: bool) -> str:
    if birth_date.year < 2000:
        return "1" if is_male else "2"
    return "3" if is_male else "4"


def compose(birth_date: date, is_male: bool, region_and_serial: str) -> str:
    """Build an RRN from the birth date, sex and five digits (region code + serial)."""
    if not (len(region_and_serial) == 5 and region_and_serial.isdigit()):
        raise ValueError("region_and_serial must be five digits")
    body = birth_date.strftime("%y%m%d") + gender_digit(birth_date, is_male) + region_and_serial
    return f"{body[:6]}-{body[6:]}{check_digit(body)}"


def birth_date_of(rrn: str) -> date:
    """The birth date an RRN encodes; ``ValueError`` if the number is malformed."""
    match = _FORMAT.match(rrn)
    if not match:
        raise ValueError("RRN must look like YYMMDD-GNNNNNN")
    front, back = match.groups()
    century_and_sex = _GENDER_DIGITS.get(back[0])
    if century_and_sex is None:
        raise ValueError("unsupported gender/century digit")
    century, _ = century_and_sex
    return date(century + int(front[:2]), int(front[2:4]), int(front[4:6]))


def is_male(rrn: str) -> bool:
    century_and_sex = _GENDER_DIGITS.get(rrn[7:8])
    if century_and_sex is None:
        raise ValueError("unsupported gender/century digit")
    return century_and_sex[1]


def is_valid(rrn: str) -> bool:
    """Format, a real calendar date and the check digit."""
    try:
        birth_date_of(rrn)
    except ValueError:
        return False
    digits = rrn.replace("-", "")
    return check_digit(digits[:12]) == int(digits[12])
