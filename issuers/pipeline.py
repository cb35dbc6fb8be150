"""The issuance pipeline: source record → claims → signed SD-JWT VC → status slot → record.

One function serves every certificate type and every path into issuing (OpenID4VCI, the
first-party wallet API, the CLI): adding a type touches none of it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from issuers.adapters.base import SourceAdapter, Subject
from issuers.models import IssuedCredential
from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_type
from issuers.status_lists.allocator import StatusAllocation, StatusListAllocator
from keys.errors import JWKInvalid
from keys.jwk import public_jwk, public_key_from_jwk, thumbprint
from keys.jws import Signer
from keys.sealing import Sealer
from schemas.claim_check import check_claims
from schemas.derived import add_derived_claims
from schemas.errors import InvalidInput, NoRecord, SourceRecordInvalid
from schemas.registry import CertificateType, TypeRegistry

SD_JWT_VC_TYP = "dc+sd-jwt"
#: decoy digests per object: hides how many claims a credential really has
DECOYS = range(1, 4)
SUBJECT_LOOKUP_PURPOSE = "issued-credential-subject"
#: ages (만 나이) and dates on Korean certificates are counted in Korea Standard Time
KST = timezone(timedelta(hours=9), "KST")
#: a Core INSERT built once: the ORM unit of work cost more CPU than the round trip itself
_INSERT_RECORD = insert(IssuedCredential.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class IssuerServices:
    issuer_id: str
    signer: Signer
    registry: TypeRegistry
    adapters: Mapping[str, SourceAdapter]
    status_list_size: int
    sealer: Sealer
    #: reserved status slots live here: a context built per request must be handed the
    #: process's allocator (wallet_api does), or every request would reserve a fresh block
    allocator: StatusListAllocator = field(default_factory=StatusListAllocator)


@dataclass(frozen=True)
class CredentialIssued:
    credential: str
    record_id: str
    type_id: str
    vct: str
    document_number: str
    status_uri: str
    status_idx: int
    expires_at: datetime


def vct_for(issuer_id: str, type_id: str) -> str:
    return f"{issuer_id}/vct/{type_id}"


def new_document_number() -> str:
    digits = f"{secrets.randbelow(10**16):016d}"
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def holder_cnf_jwk(holder_jwk: Any) -> dict[str, str]:
    """The holder's public key as it goes into cnf: validated, public members only."""
    try:
        return public_jwk(public_key_from_jwk(holder_jwk))
    except JWKInvalid as exc:
        raise InvalidInput(f"holder key: {exc}") from None


def fetch_claims(context: IssuerServices, type_def: CertificateType, subject: Subject, now: datetime) -> dict[str, Any]:
    adapter = context.adapters.get(type_def.adapter)
    if adapter is None:
        raise NoRecord(f"{type_def.name.en} is not issued from an agency record", type_id=type_def.id)
    claims = add_derived_claims(type_def, adapter.fetch_claims(type_def, subject), now.astimezone(KST).date())
    problems = check_claims(type_def, claims)
    if problems:
        # never sign what the type does not define: that is a connector bug, not the holder's
        raise SourceRecordInvalid(f"{type_def.adapter} returned {problems[0].path}: {problems[0].message}")
    return claims


def issue_credential(
    session: Session,
    *,
    context: IssuerServices,
    type_id: str,
    subject: Subject,
    holder_jwk: Any,
    now: datetime,
    spend: Callable[[Session], None] | None = None,
) -> CredentialIssued:
    """Issue one credential and commit its record (with ``spend``'s writes) in one COMMIT.

    ``spend``: the caller's single-use marks (a nonce, a grant), written in ``session``
    once a status slot is held and before signing; it raises to refuse the issuance. On any
    failure before the COMMIT nothing is written and the slot goes back to the allocator.
    """
    type_def = context.registry.get(type_id)
    cnf_jwk = holder_cnf_jwk(holder_jwk)
    # ask the agency first: a person with no record must not consume a status slot
    claims = fetch_claims(context, type_def, subject, now)

    signer = context.signer
    # before ``session`` writes anything: under SQLite a block reservation needs the write lock
    allocation = context.allocator.allocate(
        session, kid=signer.kid, family=type_def.status_family, list_size=context.status_list_size
    )
    try:
        if spend is not None:
            spend(session)
        issued, record = _signed_record(context, type_def, signer, allocation, cnf_jwk, claims, subject, now)
        session.connection().execute(_INSERT_RECORD, record)
    except BaseException:
        session.rollback()
        context.allocator.release(allocation)
        raise
    try:
        session.commit()
    except Exception:
        # not released: a COMMIT that failed may still have landed, and the slot with it
        session.rollback()
        raise
    return issued


def _signed_record(
    context: IssuerServices,
    type_def: CertificateType,
    signer: Signer,
    allocation: StatusAllocation,
    cnf_jwk: dict[str, str],
    claims: dict[str, Any],
    subject: Subject,
    now: datetime,
) -> tuple[CredentialIssued, dict[str, Any]]:
    """The signed credential and its issuance record's column values."""
    status_uri = context.issuer_id + allocation.uri_path
    expires_at = now + timedelta(days=type_def.validity_days)
    vct = vct_for(context.issuer_id, type_def.id)
    registered = {
        "iss": context.issuer_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "vct": vct,
        "cnf": {"jwk": cnf_jwk},
        "status": {"status_list": {"idx": allocation.idx, "uri": status_uri}},
    }
    issued = issue_sd_jwt(signer=signer, claims=claims, disclosable=plan_from_type(type_def), registered=registered, decoys=DECOYS)
    issuer_jwt = issued.compact.split("~", 1)[0]
    record = {
        "id": uuid.uuid4().hex,
        "type_id": type_def.id,
        "agency_id": type_def.agency.id,
        "vct": vct,
        "kid": signer.kid,
        "status_list_id": allocation.list_id,
        "status_idx": allocation.idx,
        "issued_at": now,
        "expires_at": expires_at,
        "document_number": new_document_number(),
        "subject_ref": context.sealer.lookup_hash(subject.rrn, purpose=SUBJECT_LOOKUP_PURPOSE),
        "holder_jkt": thumbprint(cnf_jwk),
        "credential_digest": hashlib.sha256(issuer_jwt.encode("ascii")).hexdigest(),
    }
    result = CredentialIssued(
        credential=issued.compact,
        record_id=record["id"],
        type_id=type_def.id,
        vct=vct,
        document_number=record["document_number"],
        status_uri=status_uri,
        status_idx=allocation.idx,
        expires_at=expires_at,
    )
    return result, record
