"""Claims ↔ their compact wire form: short integer keys from ``claim_keys.toml``, dates as
RFC 8943 tag 100 (days since 1970-01-01).

Key names are most of a JSON credential's bytes; in a QR every byte costs 1.5 characters.
The table is data (one entry per QR-capable type), so a new type is an entry, not code.
Dates go as tag 100 because "2020-01-15" is 11 bytes and tag 100 + int is 4-5, and the
conversion is exact: only strings that are canonical ISO dates are converted, and they come
back as the same string.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import cbor2

from schemas.qr_errors import QrMalformed
from schemas.qr_payload.cbor_reader import Tagged

TAG_DAYS_SINCE_EPOCH = 100
_EPOCH = date(1970, 1, 1)
_TABLE_FILE = Path(__file__).with_name("claim_keys.toml")
#: the shipped claim-key tables (a data file, pinned by SHA-256 in the spec and a test)
CLAIM_KEYS_FILE = _TABLE_FILE


@dataclass(frozen=True)
class KeyTable:
    """Bidirectional short keys for one object level; ``children`` for nested objects."""

    to_wire: dict[str, int]
    children: dict[str, "KeyTable"] = field(default_factory=dict)
    #: claim name -> field order, for lists of objects sent as positional arrays
    positional: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def from_wire(self) -> dict[int, str]:
        return {number: name for name, number in self.to_wire.items()}


@dataclass(frozen=True)
class QrType:
    type_id: str
    code: int
    prefix_family: str
    keys: KeyTable


@dataclass(frozen=True)
class QrTypeTable:
    by_id: dict[str, QrType]
    by_code: dict[int, QrType]
    #: the tables' own version (``version`` in the file): what an offline trust file names
    version: int = 1


def _key_table(raw: Mapping[str, Any], where: str) -> KeyTable:
    to_wire: dict[str, int] = {}
    children: dict[str, KeyTable] = {}
    positional: dict[str, tuple[str, ...]] = {}
    for name, entry in raw.items():
        if isinstance(entry, Mapping) and "fields" in entry:
            to_wire[name] = entry["key"]
            positional[name] = tuple(entry["fields"])
        elif isinstance(entry, Mapping):
            to_wire[name] = entry["key"]
            children[name] = _key_table(entry["claims"], f"{where}.{name}")
        else:
            to_wire[name] = entry
    numbers = list(to_wire.values())
    if len(set(numbers)) != len(numbers) or not all(isinstance(n, int) and n >= 0 for n in numbers):
        raise ValueError(f"{_TABLE_FILE.name}: {where}: keys must be distinct non-negative integers")
    return KeyTable(to_wire, children, positional)


def load_type_table(path: Path = _TABLE_FILE) -> QrTypeTable:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = document["types"]
    types = [
        QrType(type_id, entry["code"], entry["prefix"], _key_table(entry["claims"], type_id))
        for type_id, entry in raw.items()
    ]
    by_code = {t.code: t for t in types}
    if len(by_code) != len(types):
        raise ValueError(f"{path.name}: type codes must be distinct")
    return QrTypeTable({t.type_id: t for t in types}, by_code, int(document.get("version", 1)))


@cache
def default_type_table() -> QrTypeTable:
    return load_type_table()


def compact_claims(claims: Mapping[str, Any], table: KeyTable) -> dict[int | str, Any]:
    out: dict[int | str, Any] = {}
    for name, value in claims.items():
        wire_key = table.to_wire.get(name, name)
        if name in table.positional:
            out[wire_key] = _to_rows(value, table.positional[name])
        else:
            out[wire_key] = _compact_value(value, table.children.get(name))
    return out


def _to_rows(value: Any, fields: tuple[str, ...]) -> list[list[Any]]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, Mapping) for item in value):
        raise TypeError("a positional claim must be a list of objects")
    for item in value:
        if set(item) - set(fields):
            raise TypeError(f"positional objects may only have the fields {fields}")
    return [[_compact_value(item.get(f), None) for f in fields] for item in value]


def _compact_value(value: Any, table: KeyTable | None) -> Any:
    if isinstance(value, Mapping):
        return compact_claims(value, table or KeyTable({}))
    if isinstance(value, (list, tuple)):
        return [_compact_value(item, table) for item in value]
    if isinstance(value, str):
        as_date = _iso_date(value)
        if as_date is not None:
            return cbor2.CBORTag(TAG_DAYS_SINCE_EPOCH, (as_date - _EPOCH).days)
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise TypeError(f"claim value of type {type(value).__name__} cannot go into a QR")


def _iso_date(text: str) -> date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.isoformat() == text else None


def expand_claims(wire: Any, table: KeyTable) -> dict[str, Any]:
    """The inverse of ``compact_claims`` for strictly-decoded CBOR; unknown short keys refused."""
    if not isinstance(wire, dict):
        raise QrMalformed("claims must be a map")
    names = table.from_wire
    out: dict[str, Any] = {}
    for key, value in wire.items():
        if isinstance(key, int):
            if key not in names:
                raise QrMalformed(f"unknown short claim key {key}")
            name = names[key]
        else:
            name = key
        if name in out:
            raise QrMalformed(f"claim {name!r} appears twice")
        if name in table.positional:
            out[name] = _from_rows(value, table.positional[name])
        else:
            out[name] = _expand_value(value, table.children.get(name))
    return out


def _from_rows(value: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) and len(row) == len(fields) for row in value):
        raise QrMalformed(f"positional claim rows must be arrays of {len(fields)}")
    rows = []
    for row in value:
        cells = [_expand_value(cell, None) for cell in row]
        if any(isinstance(cell, (dict, list)) for cell in cells):
            raise QrMalformed("positional claim cells are scalars")
        rows.append({f: cell for f, cell in zip(fields, cells) if cell is not None})
    return rows


def _expand_value(value: Any, table: KeyTable | None) -> Any:
    if isinstance(value, dict):
        return expand_claims(value, table or KeyTable({}))
    if isinstance(value, list):
        return [_expand_value(item, table) for item in value]
    if isinstance(value, Tagged):
        return _date_from_tag(value)
    if isinstance(value, bytes):
        raise QrMalformed("claims carry no byte strings")
    return value


def _date_from_tag(value: Tagged) -> str:
    if value.tag != TAG_DAYS_SINCE_EPOCH or isinstance(value.value, bool) or not isinstance(value.value, int):
        raise QrMalformed("only tag 100 (days since epoch) with an integer is expected in claims")
    try:
        return (_EPOCH + timedelta(days=value.value)).isoformat()
    except OverflowError:
        raise QrMalformed("date out of range") from None
