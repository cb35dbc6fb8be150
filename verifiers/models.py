"""The verifier's tables: relying parties, presentation requests, used nonces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class UsedNonce(SQLModel, table=True):
    """A presentation (by its KB-JWT digest) already accepted for an audience."""

    __tablename__ = "verifiers_used_nonce"
    __table_args__ = (UniqueConstraint("scope", "digest", name="uq_verifiers_used_nonce_scope_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    #: the audience the presentation was made for ("" when the caller named none)
    scope: str = Field(max_length=255)
    digest: str = Field(max_length=64)
    used_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: safe to delete after this: no KB-JWT this old passes holder_binding any more
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


class RelyingPartyBase(SQLModel):
    name: str = Field(max_length=200)
    #: the OpenID4VP client identifier, ``x509_hash:<sha-256 of its certificate>``
    client_id: str = Field(max_length=128, unique=True)
    #: type id → claim paths ("name", "address_history.address") it may ask for
    allowed: dict = Field(sa_column=Column(JSON, nullable=False))
    purpose: str = Field(default="", max_length=500)
    profile: str = Field(default="bank", max_length=64)
    created_at: datetime
    active: bool = True


class RelyingParty(RelyingPartyBase, table=True):
    __tablename__ = "verifiers_relying_party"

    id: str = Field(primary_key=True, max_length=32)
    #: sha-256 (hex) of the API key; the key itself is shown once and never stored
    api_key_sha256: str = Field(max_length=64, unique=True)
    #: DER of the self-signed verifier certificate (public) whose hash is the client_id
    certificate_der: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: the certificate's ES256 private key, PKCS#8 sealed with the storage key
    sealed_private_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class RelyingPartyPublic(RelyingPartyBase):
    id: str


class RelyingPartyRegistryVersion(SQLModel, table=True):
    """One row whose ``version`` goes up with every deactivation or key rotation: workers
    that cache parties by API key compare it (at most once a second) and drop their cache
    when it moved, so a dead key stops working everywhere within that second."""

    __tablename__ = "verifiers_relying_party_registry_version"

    id: int = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


class PresentationRequest(SQLModel, table=True):
    __tablename__ = "verifiers_presentation_request"

    #: random (uuid4 hex): it appears in the request_uri a QR shows to anyone nearby
    id: str = Field(primary_key=True, max_length=32)
    relying_party_id: str = Field(foreign_key="verifiers_relying_party.id", index=True, max_length=32)
    dcql_query: dict = Field(sa_column=Column(JSON, nullable=False))
    purpose: str = Field(max_length=500)
    nonce: str = Field(max_length=64)
    state: str = Field(max_length=64, unique=True)
    #: "pending" until the wallet answers (or the request expires), then "done"
    status: str = Field(default="pending", max_length=16)
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    answered_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: per credential query id, the verification result (claims of a valid presentation only),
    #: JSON sealed with the storage key and bound to this row; deleted once the party has
    #: collected it, or at ``result_expires_at`` if it never does
    sealed_result: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    #: what stays after that: per credential query id, ``valid``, ``code`` and ``match`` only
    outcome: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: an uncollected result is deleted at this time (None once it is gone)
    result_expires_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    #: when the party collected the result (None with an outcome: deleted uncollected)
    result_collected_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: an error the wallet sent instead of a vp_token (e.g. access_denied)
    wallet_error: str | None = Field(default=None, max_length=64)
