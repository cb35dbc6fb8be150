"""Enrolment: a trusted identity assertion makes (or finds) the person's holder.

A holder is unique per resident registration number (keyed lookup hash; the number itself
is only stored sealed). Enrolling again with a fresh assertion for the same person answers
the existing holder with a new enrolment token: that is how someone who lost every device
gets back in, and it needs the same proof of identity as the first time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from issuers.pipeline import SUBJECT_LOOKUP_PURPOSE
from issuers.synthetic_registry.population import SyntheticPopulation
from keys.sealing import Sealer
from schemas.errors import Replayed
from wallet_api.wallet.errors import IdentityMismatch
from wallet_api.db.expired_rows import ExpiredRowSweeper, ExpiringTable
from wallet_api.wallet.identity_providers import IdentityProvider, VerifiedIdentity, verify_identity_assertion
from wallet_api.wallet.models import AccessToken, Holder, UsedIdentityAssertion
from wallet_api.wallet.sealing import RRN_LOOKUP_PURPOSE, open_json, seal_json
from wallet_api.wallet.tokens import IssuedToken, issue_enrolment_token

HOLDER_TABLE = "wallet_holder"
#: a spent assertion's jti is kept until the assertion itself expires, then it can go
USED_ASSERTIONS = ExpiringTable.of(UsedIdentityAssertion)
ACCESS_TOKENS = ExpiringTable.of(AccessToken)


@dataclass(frozen=True)
class Enrolled:
    holder_id: str
    created: bool
    enrolment_token: IssuedToken


@dataclass(frozen=True)
class HolderIdentity:
    rrn: str
    name: str
    birth_date: str


def _check_person(identity: VerifiedIdentity, population: SyntheticPopulation) -> None:
    # the agencies' register is the authority: a provider naming an unknown person, or a
    # known number with another name or birth date, enrols nobody
    person = population.by_rrn(identity.rrn)
    if person is None or person.name != identity.name or person.birth_date.isoformat() != identity.birth_date:
        raise IdentityMismatch("the asserted person is not in the resident register under these details")


def enrol(
    session: Session,
    *,
    identity: VerifiedIdentity,
    population: SyntheticPopulation,
    sealer: Sealer,
    now: datetime,
    token_ttl_s: int,
    sweeper: ExpiredRowSweeper,
) -> Enrolled:
    _check_person(identity, population)
    # spent assertions and enrolment tokens pile up with every enrolment: swept in batches
    sweeper.after_insert(session, USED_ASSERTIONS, now=now)
    sweeper.after_insert(session, ACCESS_TOKENS, now=now)
    session.add(
        UsedIdentityAssertion(
            issuer=identity.issuer, jti=identity.jti, expires_at=datetime.fromtimestamp(identity.expires_at, UTC)
        )
    )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Replayed("this identity assertion has already been used") from None
    lookup = sealer.lookup_hash(identity.rrn, purpose=RRN_LOOKUP_PURPOSE)
    holder = session.exec(select(Holder).where(Holder.rrn_lookup == lookup)).first()
    created = holder is None
    if holder is None:
        holder_id = uuid.uuid4().hex
        sealed = seal_json(
            sealer,
            {"rrn": identity.rrn, "name": identity.name, "birth_date": identity.birth_date},
            table=HOLDER_TABLE,
            row_id=holder_id,
            field="identity",
        )
        holder = Holder(
            id=holder_id, rrn_lookup=lookup, sealed_identity=sealed, identity_provider=identity.issuer, created_at=now
        )
        session.add(holder)
        # the holder row first: the token references it (no ORM relationship orders them)
        session.flush()
    token = issue_enrolment_token(session, holder_id=holder.id, now=now, ttl_s=token_ttl_s)
    try:
        session.commit()
    except IntegrityError:
        # two enrolments of one person raced: the loser spends nothing and retries
        session.rollback()
        raise Replayed("an enrolment for this person is in progress; try again") from None
    return Enrolled(holder.id, created, token)


def enrol_with_assertion(
    session: Session,
    *,
    assertion: Any,
    providers: Mapping[str, IdentityProvider],
    audience: str,
    population: SyntheticPopulation,
    sealer: Sealer,
    now: datetime,
    max_age_s: int,
    leeway_s: int,
    token_ttl_s: int,
    sweeper: ExpiredRowSweeper,
) -> Enrolled:
    identity = verify_identity_assertion(
        assertion, providers=providers, audience=audience, now=now, max_age_s=max_age_s, leeway_s=leeway_s
    )
    return enrol(
        session, identity=identity, population=population, sealer=sealer, now=now, token_ttl_s=token_ttl_s, sweeper=sweeper
    )


def holder_identity(session: Session, *, holder_id: str, sealer: Sealer) -> HolderIdentity:
    holder = session.get(Holder, holder_id)
    assert holder is not None
    raw = open_json(sealer, holder.sealed_identity, table=HOLDER_TABLE, row_id=holder.id, field="identity")
    return HolderIdentity(rrn=raw["rrn"], name=raw["name"], birth_date=raw["birth_date"])


def holder_subject_ref(session: Session, *, holder_id: str, sealer: Sealer) -> str:
    """The holder's person as our issuer's records name them (``IssuedCredential.subject_ref``):
    what tells a credential issued to this person from one issued to someone else."""
    rrn = holder_identity(session, holder_id=holder_id, sealer=sealer).rrn
    return sealer.lookup_hash(rrn, purpose=SUBJECT_LOOKUP_PURPOSE)
