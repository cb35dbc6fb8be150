"""The issuance record: what was issued, to which key, under which status slot.

It holds no claim values: the wallet keeps the credential; the issuer keeps only what it
needs to revoke, to answer a document-number check and to audit (a keyed hash of the
subject, never the resident registration number).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class IssuedCredentialBase(SQLModel):
    type_id: str = Field(max_length=64, index=True)
    agency_id: str = Field(max_length=32, index=True)
    vct: str = Field(max_length=255)
    #: the key that signed it, and so the status list family it lives in
    kid: str = Field(max_length=64)
    status_list_id: int = Field(index=True)
    status_idx: int
    issued_at: datetime
    expires_at: datetime
    #: 문서확인번호, printed on paper copies
    document_number: str = Field(max_length=19, unique=True)


class IssuedCredential(IssuedCredentialBase, table=True):
    __tablename__ = "issuers_issued_credential"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_idx", name="uq_issuers_issued_credential_status_slot"),
    )

    id: str = Field(primary_key=True, max_length=32)
    #: keyed hash of the subject's RRN: lets an agency find a person's credentials
    subject_ref: str = Field(max_length=64, index=True)
    #: RFC 7638 thumbprint of the holder key in cnf (device revocation finds credentials by it)
    holder_jkt: str = Field(max_length=64, index=True)
    #: sha-256 of the issuer-signed JWT, to recognise a presented copy
    credential_digest: str = Field(max_length=64)
    #: the last revoke/suspend/reinstate: why (a code of credential_status.REASON_CODES),
    #: the operator's note, when and by whom; kept here, never in the public status list
    status_reason: str | None = Field(default=None, max_length=32)
    status_note: str | None = Field(default=None, max_length=500)
    status_changed_at: datetime | None = None
    status_changed_by: str | None = Field(default=None, max_length=80)


class IssuedCredentialPublic(IssuedCredentialBase):
    id: str
