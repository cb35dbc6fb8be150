"""Issuer signing keys, stored encrypted (PKCS#8 with the key passphrase)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel


class IssuerKeyBase(SQLModel):
    kid: str = Field(primary_key=True, max_length=64)
    alg: str = Field(max_length=16)
    created_at: datetime
    #: when this key stopped signing (rotation); None while it is the active key
    retired_at: datetime | None = None
    #: retired keys stay in the JWKS until every credential they signed has expired
    publish_until: datetime | None = None


class IssuerKey(IssuerKeyBase, table=True):
    __tablename__ = "keys_issuer_key"

    public_jwk: dict = Field(sa_column=Column(JSON, nullable=False))
    encrypted_pkcs8: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class IssuerKeyPublic(IssuerKeyBase):
    public_jwk: dict
