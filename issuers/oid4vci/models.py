"""OpenID4VCI tables. Secrets are stored as SHA-256 hex digests only; expiry and single use
are enforced by conditional UPDATEs on these rows, so any number of workers agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

#: five wrong transaction codes and the pre-authorized code is dead (a 6-digit PIN
#: would otherwise fall to a patient guesser holding a leaked offer link)
MAX_TX_CODE_FAILURES = 5


class Oid4vciOffer(SQLModel, table=True):
    """A credential offer and its pre-authorized code (one code per offer)."""

    __tablename__ = "issuers_oid4vci_offer"

    id: str = Field(primary_key=True, max_length=32)
    code_hash: str = Field(max_length=64, unique=True)
    #: keyed by the pre-authorized code (see codes.hash_tx_code); None: no tx_code required
    tx_code_hash: str | None = Field(default=None, max_length=64)
    #: tx_code attempts, counted atomically before each is evaluated (tokens._claim_tx_code_attempt);
    #: the right one redeems the offer, so on a live offer these are the wrong guesses
    tx_code_failures: int = 0
    #: sha-256 of the secret in the credential_offer_uri; None for offers passed by value
    reference_hash: str | None = Field(default=None, max_length=64, unique=True)
    #: the code sealed (aad: row id) so a by-reference offer can be served; None by value
    code_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    #: Subject.rrn sealed with aad bound to this row id: the RRN never sits in clear here
    subject_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    configuration_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    #: operator id (admin API) or "cli"; for audit
    created_by: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    #: set once, atomically, when the code is exchanged for an access token
    redeemed_at: datetime | None = None


class Oid4vciOfferCredential(SQLModel, table=True):
    """One credential configuration of an offer; ``issued_at`` set once it has been issued.

    The access token of an offer may fetch each configuration once: a conditional UPDATE
    on this row, committed with the issuance record, makes that hold across workers.
    """

    __tablename__ = "issuers_oid4vci_offer_credential"

    offer_id: str = Field(
        sa_column=Column(String(32), ForeignKey("issuers_oid4vci_offer.id", ondelete="CASCADE"), primary_key=True)
    )
    configuration_id: str = Field(sa_column=Column(String(64), primary_key=True))
    issued_at: datetime | None = None


class Oid4vciAccessToken(SQLModel, table=True):
    __tablename__ = "issuers_oid4vci_access_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    offer_id: str = Field(
        sa_column=Column(String(32), ForeignKey("issuers_oid4vci_offer.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime
    expires_at: datetime = Field(index=True)


class Oid4vciNonce(SQLModel, table=True):
    """A c_nonce from the nonce endpoint: not tied to a token (the endpoint is anonymous)."""

    __tablename__ = "issuers_oid4vci_nonce"

    nonce_hash: str = Field(primary_key=True, max_length=64)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None
