"""Server-side set-up done in the benchmark process before the server starts: migrated
database, issuer key, credentials, a relying party, offers. Same settings as the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.pipeline import CredentialIssued, issue_credential
from keys.jws import Signer
from wallet_api.wiring.bootstrap import build_state
from wallet_api.wiring.issuing import issuer_services
from wallet_api.state import AppState


@contextmanager
def app_state(settings: Any) -> Iterator[AppState]:
    state = build_state(settings)
    try:
        yield state
    finally:
        state.engine.dispose()


def people_with_record(state: AppState, type_id: str, count: int) -> list[Any]:
    type_def = state.registry.get(type_id)
    adapter = state.adapters[type_def.adapter]  # type: ignore[index]
    found = []
    for person in state.population.people():  # type: ignore[attr-defined]
        if adapter.has_record(type_def, Subject(rrn=person.rrn)):
            found.append(person)
            if len(found) == count:
                break
    if not found:
        raise RuntimeError(f"nobody in the synthetic population has a record for {type_id}")
    return found


def issue_one(state: AppState, session: Session, type_id: str, holder: Signer, person: Any) -> CredentialIssued:
    return issue_credential(
        session,
        context=issuer_services(state, session),
        type_id=type_id,
        subject=Subject(rrn=person.rrn),
        holder_jwk=holder.public_jwk,
        now=state.clock.now(),
    )


def register_party(state: AppState, allow: list[str], profile: str = "bank") -> tuple[str, str]:
    """(client_id, api_key) of a new relying party."""
    from verifiers.relying_parties import parse_allow, register_relying_party

    with Session(state.engine, expire_on_commit=False) as session:
        registered = register_relying_party(
            session, name="bench bank", allowed=parse_allow(allow), purpose="benchmark", profile=profile,
            registry=state.registry, sealer=state.sealer, now=state.clock.now(),
        )
    return registered.relying_party.client_id, registered.api_key


def create_offers(state: AppState, type_id: str, count: int) -> list[str]:
    """Pre-authorized codes of ``count`` offers, spread over the people holding a record."""
    from issuers.oid4vci.offers import create_offer

    people = people_with_record(state, type_id, min(count, 500))
    codes = []
    with Session(state.engine, expire_on_commit=False) as session:
        context = issuer_services(state, session)
        for i in range(count):
            created = create_offer(
                session, context=context, type_ids=[type_id], subject=Subject(rrn=people[i % len(people)].rrn),
                with_tx_code=False, now=state.clock.now(), ttl=timedelta(hours=2), created_by="benchmark",
            )
            codes.append(created.pre_authorized_code)
    return codes
