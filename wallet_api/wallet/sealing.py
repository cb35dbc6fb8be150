"""Sealing wallet rows: JSON in, AES-GCM out, bound to table, row and field."""

from __future__ import annotations

import json
from typing import Any

from keys.json_document import read_json
from keys.sealing import Sealer

RRN_LOOKUP_PURPOSE = "wallet-holder-rrn"


def row_aad(table: str, row_id: str, field: str) -> bytes:
    return f"{table}:{row_id}:{field}".encode()


def seal_json(sealer: Sealer, value: Any, *, table: str, row_id: str, field: str) -> bytes:
    return sealer.seal(json.dumps(value, ensure_ascii=False).encode(), aad=row_aad(table, row_id, field))


def open_json(sealer: Sealer, sealed: bytes, *, table: str, row_id: str, field: str) -> Any:
    return read_json(sealer.open(sealed, aad=row_aad(table, row_id, field)))


def seal_text(sealer: Sealer, value: str, *, table: str, row_id: str, field: str) -> bytes:
    return sealer.seal(value.encode(), aad=row_aad(table, row_id, field))


def open_text(sealer: Sealer, sealed: bytes, *, table: str, row_id: str, field: str) -> str:
    return sealer.open(sealed, aad=row_aad(table, row_id, field)).decode()
