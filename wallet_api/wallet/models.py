"""The wallet's tables: holders, devices, device challenges, sign-in, stored credentials, consents, submissions.

Every personal value (the resident registration number, names, the credentials and the
claims in them, prepared presentations) is sealed with AES-256-GCM, its associated data
naming the table and row, so a copy of the database alone reveals no certificate. What stays
in clear is metadata a holder's screen needs to sort and filter by: type ids, dates, states,
relying-party names and the *names* (never values) of disclosed claims.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Holder(SQLModel, table=True):
    __tablename__ = "wallet_holder"

    id: str = Field(primary_key=True, max_length=32)
    #: keyed hash of the RRN: one holder per person, found without storing the number
    rrn_lookup: str = Field(max_length=64, unique=True)
    #: sealed JSON {rrn, name, birth_date}, aad "wallet_holder:<id>"
    sealed_identity: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: the identity provider that vouched for the person at enrolment
    identity_provider: str = Field(max_length=255)
    created_at: datetime


class DeviceBase(SQLModel):
    name: str = Field(default="", max_length=100)
    alg: str = Field(max_length=16)
    #: RFC 7638 thumbprint; issuer records carry the same value as holder_jkt
    jkt: str = Field(max_length=64, unique=True)
    created_at: datetime
    revoked_at: datetime | None = None


class Device(DeviceBase, table=True):
    __tablename__ = "wallet_device"

    id: str = Field(primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    #: public members only (the private key never reaches the server)
    public_jwk: dict = Field(sa_column=Column(JSON, nullable=False))


class DevicePublic(DeviceBase):
    id: str
    public_jwk: dict


class UsedIdentityAssertion(SQLModel, table=True):
    """An identity assertion's ``jti``, spent: an assertion enrols (or recovers) once."""

    __tablename__ = "wallet_used_identity_assertion"
    __table_args__ = (UniqueConstraint("issuer", "jti", name="uq_wallet_used_identity_assertion"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=255)
    jti: str = Field(max_length=128)
    #: safe to delete after this: the assertion itself has expired
    expires_at: datetime = Field(index=True)


class SignInChallenge(SQLModel, table=True):
    __tablename__ = "wallet_sign_in_challenge"

    #: the challenge value itself (random, 256 bits)
    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None


class DeviceRegistrationChallenge(SQLModel, table=True):
    """A challenge the device key being registered signs: issued to one holder, spent once."""

    __tablename__ = "wallet_device_registration_challenge"

    #: the challenge value itself (random, 256 bits)
    id: str = Field(primary_key=True, max_length=64)
    #: only this holder's registration can spend it
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None


class AccessToken(SQLModel, table=True):
    """An opaque bearer token, stored only as its sha-256."""

    __tablename__ = "wallet_access_token"

    token_sha256: str = Field(primary_key=True, max_length=64)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    #: None for an enrolment token (it can only register a device)
    device_id: str | None = Field(default=None, foreign_key="wallet_device.id", index=True, max_length=32)
    scope: str = Field(max_length=16)
    created_at: datetime
    expires_at: datetime = Field(index=True)


class StoredCredentialBase(SQLModel):
    type_id: str | None = Field(default=None, max_length=64, index=True)
    vct: str = Field(max_length=255)
    issuer: str = Field(max_length=255)
    issued_at: datetime
    expires_at: datetime
    stored_at: datetime
    #: how it came in: "issued" (first-party path) or "imported" (OpenID4VCI by the app)
    origin: str = Field(max_length=16)


class StoredCredential(StoredCredentialBase, table=True):
    __tablename__ = "wallet_stored_credential"

    id: str = Field(primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    device_id: str = Field(foreign_key="wallet_device.id", index=True, max_length=32)
    #: our issuer's record (live status read from it); None for another issuer's credential
    issuer_record_id: str | None = Field(default=None, max_length=32)
    #: sealed SD-JWT (all disclosures), aad "wallet_stored_credential:<id>:credential"
    sealed_credential: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: sealed JSON of the verified claims, aad "wallet_stored_credential:<id>:claims"
    sealed_claims: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: sealed JSON of the credential's status claim (for another issuer's list)
    sealed_status: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Consent(SQLModel, table=True):
    """A presentation the holder is being asked for: resolved, then prepared, then submitted."""

    __tablename__ = "wallet_consent"

    id: str = Field(primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    #: "openid4vp" or "share_link"
    kind: str = Field(max_length=16)
    #: "resolved" → "prepared" → "submitted"
    status: str = Field(default="resolved", max_length=16)
    created_at: datetime
    expires_at: datetime
    recipient_name: str = Field(max_length=200)
    recipient_id: str = Field(max_length=255)
    purpose: str = Field(default="", max_length=500)
    #: sealed JSON: what the request needs to be answered (nonce, state, response_uri, query)
    sealed_request: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    #: sealed JSON: the presentations awaiting their KB-JWT signatures
    sealed_prepared: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class SubmissionBase(SQLModel):
    created_at: datetime
    #: "openid4vp" or "share_link"
    kind: str = Field(max_length=16)
    recipient_name: str = Field(max_length=200)
    recipient_id: str = Field(max_length=255)
    purpose: str = Field(default="", max_length=500)
    #: [{credential_id, type_id, claims: [[path...]...]}]: claim names, never values
    credentials: list = Field(sa_column=Column(JSON, nullable=False))
    #: "delivered", "refused:<code>", "undelivered", "link_created", "link_viewed", "link_expired"
    outcome: str = Field(max_length=64)
    outcome_at: datetime


class Submission(SubmissionBase, table=True):
    __tablename__ = "wallet_submission"

    id: str = Field(primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)


class SubmissionPublic(SubmissionBase):
    id: str


class ShareLink(SQLModel, table=True):
    """A one-time viewing link: one presentation, shown verified once to whoever has the code."""

    __tablename__ = "wallet_share_link"

    #: random (it is the URL): uuid4 hex
    id: str = Field(primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=32)
    submission_id: str = Field(max_length=32)
    #: keyed hash of the viewing code
    code_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=64)
    #: "active" → "viewed" (or "burned" after too many wrong codes)
    status: str = Field(default="active", max_length=16)
    failed_attempts: int = 0
    created_at: datetime
    expires_at: datetime
    viewed_at: datetime | None = None
    #: sealed presentation with KB-JWT, aad "wallet_share_link:<id>"; erased once viewed
    sealed_presentation: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
