"""Type number 100 is a file: 100 generated type files issue and verify through the one
pipeline with no code change (DESIGN: "a test generates 100 types and issues and verifies each")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.pipeline import KST, IssuerServices, issue_credential
from keys.jws import Signer, generate_private_key
from keys.sealing import Sealer
from schemas.derived import add_derived_claims
from schemas.registry import CertificateType, TypeRegistry
from tests.generated_types import generated_ids
from verifiers.sd_jwt_verifier import verify_sd_jwt

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REGISTERED = {"iss", "iat", "exp", "vct", "cnf", "status"}


class ExampleRecordsAdapter:
    """A stand-in agency whose record for anyone is the type file's own example claims."""

    agency_id = "generated"

    def __init__(self, adapter_id: str) -> None:
        self.adapter_id = adapter_id

    def fetch_claims(self, type_def: CertificateType, subject: Subject) -> dict[str, Any]:
        # derived claims in the examples are recomputed (replaced) by the pipeline
        return type_def.example_claims()

    def has_record(self, type_def: CertificateType, subject: Subject) -> bool:
        return True


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.mark.parametrize("type_id", generated_ids())
def test_generated_type_issues_and_verifies(generated: TypeRegistry, issuer: Signer, session: Session, type_id: str) -> None:  # noqa: F811
    type_def = generated.get(type_id)
    context = IssuerServices(
        issuer_id="https://ecert.test",
        signer=issuer,
        registry=generated,
        adapters={type_def.adapter: ExampleRecordsAdapter(type_def.adapter)},
        status_list_size=1024,
        sealer=Sealer("generated-types-test-key"),
    )
    holder = Signer.from_private_key(generate_private_key("EdDSA"))
    issued = issue_credential(
        session, context=context, type_id=type_id, subject=Subject(rrn="900101-1234568"), holder_jwk=holder.public_jwk, now=NOW
    )
    verified = verify_sd_jwt(
        issued.credential, issuer_key=issuer.verification_key(), require_key_binding=False,
        expected_nonce=None, expected_aud=None, now=int(NOW.timestamp()),
    )
    claims = {k: v for k, v in verified.claims.items() if k not in REGISTERED}
    # every claim comes back exactly as the agency gave it, derived ones as of the issue date
    assert claims == add_derived_claims(type_def, type_def.example_claims(), NOW.astimezone(KST).date())
    assert verified.issuer_payload["vct"] == f"https://ecert.test/vct/{type_id}"
