"""Renders a list's entry rows into a signed Status List Token (``statuslist+jwt``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from issuers.status_lists.models import IssuerStatusEntry, IssuerStatusList
from keys.jws import Signer
from schemas.errors import InvalidInput, NotFound
from schemas.status_list import COMPRESSION_LEVEL, STATUS_LIST_JWT_TYP, encode_packed, packed_size

_ENTRY = IssuerStatusEntry.__table__  # type: ignore[attr-defined]


def packed_entries(session: Session, *, list_id: int) -> tuple[IssuerStatusList, bytearray]:
    """The list row and its packed byte array; loops over set entries only, never the size."""
    status_list = session.get(IssuerStatusList, list_id)
    if status_list is None:
        raise NotFound(f"no status list {list_id}")
    bits = status_list.bits
    packed = bytearray(packed_size(status_list.size, bits))
    rows = session.exec(  # type: ignore[call-overload]
        select(_ENTRY.c.idx, _ENTRY.c.status).where(_ENTRY.c.list_id == list_id)
    ).all()
    for idx, status in rows:
        bit_offset = idx * bits
        packed[bit_offset >> 3] |= status << (bit_offset & 7)
    return status_list, packed


def build_status_list_token(
    session: Session,
    *,
    list_id: int,
    signer: Signer,
    uri: str,
    now: int,
    ttl_s: int,
    validity_s: int,
    issuer: str | None = None,
    compression_level: int = COMPRESSION_LEVEL,
) -> str:
    """Sign the current state of a list.

    ``uri`` is the public URL the list is served at (it becomes ``sub``, which verifiers
    compare with the credential's ``status.status_list.uri``). ``ttl_s`` tells verifiers how
    long they may cache it; ``validity_s`` bounds how long a copy may be used at all.
    """
    if ttl_s <= 0 or validity_s <= 0:
        raise InvalidInput("ttl and validity must be positive")
    status_list, packed = packed_entries(session, list_id=list_id)
    payload: dict[str, Any] = {
        "sub": uri,
        "iat": now,
        "exp": now + validity_s,
        "ttl": ttl_s,
        "status_list": encode_packed(packed, bits=status_list.bits, level=compression_level),
    }
    if issuer is not None:
        payload["iss"] = issuer
    return signer.sign_compact({"typ": STATUS_LIST_JWT_TYP}, payload)
