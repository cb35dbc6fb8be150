"""Status list tables: one row per published list, one row per non-VALID entry.

Entries are rows rather than a stored byte array so that two operators revoking two
credentials whose 2-bit entries share a byte write two different rows and neither update
can be lost; the byte array exists only when a list token is built.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, LargeBinary, SmallInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

DEFAULT_LIST_SIZE: int = 1 << 17
#: 2^20 entries is the draft's largest example and a 256 KiB 2-bit array
MAX_LIST_SIZE: int = 1 << 20


class StatusListBase(SQLModel):
    #: issuer key that signs this list's credentials; lists are per (kid, family)
    kid: str = Field(max_length=64)
    #: type family sharing a list (e.g. "resident_registration"); chosen by the pipeline
    family: str = Field(max_length=64)
    #: 0 for the first list of a (kid, family), +1 each time the previous one fills up
    sequence: int
    #: random, so the published URI says nothing about the issuer's key or volume
    uri_id: str = Field(max_length=64, unique=True)
    size: int
    bits: int = 2
    #: slots handed out so far; the next allocation gets counter ``allocated``
    allocated: int = 0
    created_at: datetime


class IssuerStatusList(StatusListBase, table=True):
    __tablename__ = "issuers_status_list"
    __table_args__ = (
        # two workers opening the next list at once collide here instead of splitting a slot
        UniqueConstraint("kid", "family", "sequence", name="uq_issuers_status_list_kid_family_sequence"),
        CheckConstraint("allocated >= 0 AND allocated <= size", name="ck_issuers_status_list_allocated"),
        CheckConstraint(f"size > 0 AND size <= {MAX_LIST_SIZE}", name="ck_issuers_status_list_size"),
        CheckConstraint("bits IN (1, 2, 4, 8)", name="ck_issuers_status_list_bits"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: keys the index permutation; secret, or neighbouring holders could be linked again
    permutation_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class StatusListPublic(StatusListBase):
    id: int


class IssuerStatusEntry(SQLModel, table=True):
    """A non-VALID entry; an entry with no row is VALID."""

    __tablename__ = "issuers_status_entry"
    __table_args__ = (CheckConstraint("status IN (1, 2)", name="ck_issuers_status_entry_status"),)

    list_id: int = Field(
        sa_column=Column(Integer, ForeignKey("issuers_status_list.id", ondelete="CASCADE"), primary_key=True)
    )
    idx: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status: int = Field(sa_column=Column(SmallInteger, nullable=False))
    updated_at: datetime
