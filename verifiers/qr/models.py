"""Single-use marks of QR presentations: a row per accepted scan, unique per scope."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class QrScanMark(SQLModel, table=True):
    __tablename__ = "verifiers_qr_scan_mark"
    __table_args__ = (UniqueConstraint("scope", "mark", name="uq_verifiers_qr_scan_mark_scope_mark"),)

    id: int | None = Field(default=None, primary_key=True)
    #: "customs_gate" (one pass per declaration version) or "mobile_id" (one scan per QR)
    scope: str = Field(max_length=64)
    #: sha-256 hex of what is single-use in that scope
    mark: str = Field(max_length=64)
    relying_party_id: str = Field(max_length=32)
    scanned_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: safe to delete after this: the QR (or the declaration) can no longer verify
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
