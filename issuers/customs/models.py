"""Customs declarations and their versions. Personal content is sealed (AES-GCM, aad names the
row); in clear only what the service needs to find and order rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class CustomsDeclaration(SQLModel, table=True):
    __tablename__ = "issuers_customs_declaration"

    id: str = Field(primary_key=True, max_length=32)
    #: the wallet holder who filled it in (an opaque id; issuers know nothing else of holders)
    holder_ref: str = Field(max_length=32, index=True)
    #: 신고번호, e.g. KCS-20260109-48213977
    declaration_number: str = Field(max_length=24, unique=True)
    arrival_date: date
    current_version: int
    created_at: datetime
    updated_at: datetime
    #: set when the gate first accepted it: no amendment after that
    cleared_at: datetime | None = None


class CustomsDeclarationVersion(SQLModel, table=True):
    __tablename__ = "issuers_customs_declaration_version"
    __table_args__ = (UniqueConstraint("declaration_id", "version", name="uq_issuers_customs_declaration_version"),)

    id: str = Field(primary_key=True, max_length=32)
    declaration_id: str = Field(foreign_key="issuers_customs_declaration.id", index=True, max_length=32)
    version: int
    created_at: datetime
    #: an amendment sets this on the version it replaces: its QR is refused as superseded
    superseded_at: datetime | None = None
    expires_at: datetime
    #: sha-256 (hex) of the signed issuer part: how the gate finds this version from a QR
    issuer_part_digest: str = Field(max_length=64, unique=True)
    #: RFC 7638 thumbprint of the device key in the QR's cnf
    device_jkt: str = Field(max_length=64)
    #: sealed JSON {form, claims}, aad "issuers_customs_declaration_version:<id>:form"
    sealed_form: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: sealed issuer part (COSE_Sign1 bytes), aad "...:<id>:issuer_part"
    sealed_issuer_part: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
