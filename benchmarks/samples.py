"""The credential every library benchmark uses: 15 claims, all selectively disclosable,
presented with 3 disclosed and a KB-JWT, built both by us and by the IETF reference code."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from issuers.sd_jwt_issuer import SdPlan, issue_sd_jwt, plan_from_paths
from keys.jws import Signer, VerificationKey, generate_private_key
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures

NONCE = "bench-nonce-7f3a9c"
AUD = "https://bank.example"
ISSUER = "https://ecert.example"
DISCLOSED = (("name",), ("age_over_19",), ("issuing_office",))

CLAIMS: dict[str, Any] = {
    "name": "김민준",
    "name_en": "KIM MINJUN",
    "rrn_masked": "900101-1******",
    "birth_date": "1990-01-01",
    "age_over_19": True,
    "sex": "M",
    "nationality": "KR",
    "address": "서울특별시 종로구 세종대로 209",
    "postal_code": "03171",
    "household_head": "김민준",
    "relationship": "본인",
    "registered_on": "2015-03-02",
    "document_number": "1234-5678-9012-3456",
    "issuing_office": "종로구청",
    "issued_on": "2026-01-05",
}
assert len(CLAIMS) == 15
PLAN: SdPlan = plan_from_paths([(name,) for name in CLAIMS])


@dataclass(frozen=True)
class Sample:
    issuer_private: ec.EllipticCurvePrivateKey
    holder_private: ec.EllipticCurvePrivateKey
    signer: Signer
    holder_signer: Signer
    issuer_key: VerificationKey
    registered: dict[str, Any]
    credential: str
    presentation: str


def registered_claims(holder: Signer, now: int) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "iat": now,
        "exp": now + 365 * 86_400,
        "vct": f"{ISSUER}/vct/resident_registration_abstract",
        "cnf": {"jwk": holder.public_jwk},
        "status": {"status_list": {"idx": 4711, "uri": f"{ISSUER}/status-lists/q8mV2xk0LZp3A4c9b1YwTg"}},
    }


def present(credential: str, holder: Signer, disclose: tuple[tuple[str, ...], ...], now: int) -> str:
    presentation = select_disclosures(credential, disclose)
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=NONCE, aud=AUD, iat=now)
    return attach_kb_jwt(presentation, holder.sign_compact(header, payload, include_kid=False))


def make_sample() -> Sample:
    issuer_private = generate_private_key("ES256")
    holder_private = generate_private_key("ES256")
    signer = Signer.from_private_key(issuer_private, kid="bench-issuer-1")
    holder = Signer.from_private_key(holder_private)
    now = int(time.time())
    registered = registered_claims(holder, now)
    credential = issue_sd_jwt(signer=signer, claims=CLAIMS, disclosable=PLAN, registered=registered).compact
    return Sample(
        issuer_private=issuer_private,  # type: ignore[arg-type]
        holder_private=holder_private,  # type: ignore[arg-type]
        signer=signer,
        holder_signer=holder,
        issuer_key=signer.verification_key(),
        registered=registered,
        credential=credential,
        presentation=present(credential, holder, DISCLOSED, now),
    )
