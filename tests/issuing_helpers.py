"""Test helpers for issuing: a holder device key and a person with a record for a type."""

from __future__ import annotations

from typing import Any

from issuers.adapters.base import Subject
from issuers.pipeline import CredentialIssued, issue_credential
from keys.jws import Signer, generate_private_key
from wallet_api.wiring.issuing import issuer_services
from wallet_api.state import AppState


def device_signer(alg: str = "ES256") -> Signer:
    return Signer.from_private_key(generate_private_key(alg))


def person_with_record(state: AppState, type_id: str, *, skip: int = 0) -> Any:
    type_def = state.registry.get(type_id)
    adapter = state.adapters[type_def.adapter]  # type: ignore[index]
    found = 0
    for person in state.population.people():  # type: ignore[attr-defined]
        if adapter.has_record(type_def, Subject(rrn=person.rrn)):
            if found == skip:
                return person
            found += 1
    raise AssertionError(f"nobody has a record for {type_id}")


def issue_for(state: AppState, session: Any, type_id: str, holder: Signer, *, person: Any = None) -> CredentialIssued:
    person = person or person_with_record(state, type_id)
    return issue_credential(
        session,
        context=issuer_services(state, session),
        type_id=type_id,
        subject=Subject(rrn=person.rrn),
        holder_jwk=holder.public_jwk,
        now=state.clock.now(),
    )
