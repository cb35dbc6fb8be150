"""Declaration lifecycle: submit (version 1), amend (a new version supersedes the old one),
read, and what the gate needs (find a version by its issuer part, mark it cleared).

A declaration may be submitted for an arrival up to the type's validity ahead; it can be
amended until the gate has accepted it or the arrival day has passed. Each version's QR is
valid through the day after arrival (a delayed flight lands after midnight).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from issuers.customs.assessment import assess
from issuers.customs.errors import ArrivalPassed, DeclarationCleared
from issuers.customs.form import DeclarationForm, qr_claims
from issuers.customs.models import CustomsDeclaration, CustomsDeclarationVersion
from issuers.customs.qr_issuer import sign_issuer_part
from issuers.customs.rates import RateTable
from issuers.customs.rules import RuleBook
from issuers.pipeline import KST
from keys.json_document import read_json
from keys.jwk import thumbprint
from keys.jws import Signer
from keys.sealing import Sealer
from schemas.errors import InvalidInput, NotFound

VERSION_TABLE = "issuers_customs_declaration_version"


@dataclass(frozen=True)
class CustomsContext:
    #: None where nothing is signed (the desk only assesses): saves reading the active key
    signer: Signer | None
    sealer: Sealer
    rule_book: RuleBook
    rates: RateTable
    duty_rate: Decimal
    #: how far ahead of arrival a declaration may be filed
    max_days_ahead: int


@dataclass(frozen=True)
class DeclarationVersionView:
    declaration: CustomsDeclaration
    version: CustomsDeclarationVersion
    form: dict[str, Any]
    claims: dict[str, Any]
    issuer_part: bytes

    def public(self, context: CustomsContext) -> dict[str, Any]:
        return {
            "id": self.declaration.id,
            "declaration_number": self.declaration.declaration_number,
            "version": self.version.version,
            "created_at": self.version.created_at.isoformat(),
            "expires_at": self.version.expires_at.isoformat(),
            "cleared_at": self.declaration.cleared_at.isoformat() if self.declaration.cleared_at else None,
            "form": self.form,
            "assessment": assess_claims(self.claims, context).public(),
        }


def assess_claims(claims: dict[str, Any], context: CustomsContext):  # type: ignore[no-untyped-def]
    return assess(claims, rule_book=context.rule_book, rates=context.rates, duty_rate=context.duty_rate)


def _aad(version_id: str, field: str) -> bytes:
    return f"{VERSION_TABLE}:{version_id}:{field}".encode()


def _new_number(now: datetime) -> str:
    return f"KCS-{now.astimezone(KST):%Y%m%d}-{secrets.randbelow(10**8):08d}"


def _check_dates(form: DeclarationForm, context: CustomsContext, now: datetime) -> None:
    today = now.astimezone(KST).date()
    if form.arrival_date < today:
        raise InvalidInput("the arrival date has passed")
    if form.arrival_date > today + timedelta(days=context.max_days_ahead):
        raise InvalidInput(f"declarations are filed at most {context.max_days_ahead} days before arrival")
    if form.birth_date >= today:
        raise InvalidInput("birth date must be in the past")


def _expiry(arrival: date) -> datetime:
    return datetime.combine(arrival + timedelta(days=2), time(0), tzinfo=KST)


def _new_version(
    session: Session, *, declaration: CustomsDeclaration, number: int, form: DeclarationForm,
    device_jwk: dict[str, Any], context: CustomsContext, now: datetime,
) -> CustomsDeclarationVersion:
    rules = context.rule_book.in_force(form.arrival_date)
    claims = qr_claims(form, rules)
    # the whole assessment must be computable before anything is signed (unknown currency → 422)
    assess_claims(claims, context)
    expires_at = _expiry(form.arrival_date)
    if context.signer is None:
        raise RuntimeError("a customs context without a signer cannot issue declarations")
    part = sign_issuer_part(signer=context.signer, claims=claims, holder_jwk=device_jwk, exp=int(expires_at.timestamp()))
    version_id = uuid.uuid4().hex
    content = json.dumps({"form": form.model_dump(mode="json"), "claims": claims}, ensure_ascii=False).encode()
    row = CustomsDeclarationVersion(
        id=version_id,
        declaration_id=declaration.id,
        version=number,
        created_at=now,
        expires_at=expires_at,
        issuer_part_digest=hashlib.sha256(part).hexdigest(),
        device_jkt=thumbprint(device_jwk),
        sealed_form=context.sealer.seal(content, aad=_aad(version_id, "form")),
        sealed_issuer_part=context.sealer.seal(part, aad=_aad(version_id, "issuer_part")),
    )
    session.add(row)
    return row


def submit_declaration(
    session: Session, *, holder_ref: str, form: DeclarationForm, device_jwk: dict[str, Any], context: CustomsContext, now: datetime
) -> DeclarationVersionView:
    _check_dates(form, context, now)
    declaration = CustomsDeclaration(
        id=uuid.uuid4().hex, holder_ref=holder_ref, declaration_number=_new_number(now), arrival_date=form.arrival_date,
        current_version=1, created_at=now, updated_at=now,
    )
    session.add(declaration)
    session.flush()
    _new_version(session, declaration=declaration, number=1, form=form, device_jwk=device_jwk, context=context, now=now)
    _commit(session)
    return current_version(session, declaration, context.sealer)


def amend_declaration(
    session: Session, *, declaration: CustomsDeclaration, form: DeclarationForm, device_jwk: dict[str, Any],
    context: CustomsContext, now: datetime,
) -> DeclarationVersionView:
    if declaration.cleared_at is not None:
        raise DeclarationCleared("the declaration was already accepted at the gate")
    if declaration.arrival_date < now.astimezone(KST).date():
        raise ArrivalPassed("the arrival day has passed: amend at the desk")
    _check_dates(form, context, now)
    old = _version(session, declaration.id, declaration.current_version)
    old.superseded_at = now
    session.add(old)
    number = declaration.current_version + 1
    _new_version(session, declaration=declaration, number=number, form=form, device_jwk=device_jwk, context=context, now=now)
    declaration.current_version = number
    declaration.arrival_date = form.arrival_date
    declaration.updated_at = now
    session.add(declaration)
    _commit(session)
    return current_version(session, declaration, context.sealer)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise


def _version(session: Session, declaration_id: str, number: int) -> CustomsDeclarationVersion:
    row = session.exec(
        select(CustomsDeclarationVersion).where(
            CustomsDeclarationVersion.declaration_id == declaration_id, CustomsDeclarationVersion.version == number
        )
    ).first()
    if row is None:  # pragma: no cover - written together with the declaration
        raise NotFound("declaration version missing")
    return row


def open_version(declaration: CustomsDeclaration, row: CustomsDeclarationVersion, sealer: Sealer) -> DeclarationVersionView:
    content = read_json(sealer.open(row.sealed_form, aad=_aad(row.id, "form")))
    part = sealer.open(row.sealed_issuer_part, aad=_aad(row.id, "issuer_part"))
    return DeclarationVersionView(declaration, row, content["form"], content["claims"], part)


def current_version(session: Session, declaration: CustomsDeclaration, sealer: Sealer) -> DeclarationVersionView:
    return open_version(declaration, _version(session, declaration.id, declaration.current_version), sealer)


def owned_declaration(session: Session, *, holder_ref: str, declaration_id: str) -> CustomsDeclaration:
    row = session.get(CustomsDeclaration, declaration_id)
    # another holder's declaration is reported exactly like a missing one
    if row is None or row.holder_ref != holder_ref:
        raise NotFound("no such declaration")
    return row


def list_declarations(session: Session, *, holder_ref: str) -> list[CustomsDeclaration]:
    statement = select(CustomsDeclaration).where(CustomsDeclaration.holder_ref == holder_ref)
    return list(session.exec(statement.order_by(col(CustomsDeclaration.created_at).desc())).all())


@dataclass(frozen=True)
class GateLookup:
    declaration: CustomsDeclaration
    version: CustomsDeclarationVersion

    @property
    def superseded(self) -> bool:
        return self.version.superseded_at is not None


def find_by_issuer_part(session: Session, *, digest: bytes) -> GateLookup | None:
    version = session.exec(
        select(CustomsDeclarationVersion).where(CustomsDeclarationVersion.issuer_part_digest == digest.hex())
    ).first()
    if version is None:
        return None
    declaration = session.get(CustomsDeclaration, version.declaration_id)
    return None if declaration is None else GateLookup(declaration, version)


def mark_cleared(session: Session, *, declaration: CustomsDeclaration, now: datetime) -> None:
    """Added to the caller's unit of work (committed with the gate's single-use mark)."""
    if declaration.cleared_at is None:
        declaration.cleared_at = now
        session.add(declaration)
