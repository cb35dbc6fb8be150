"""Our issuer → our holder selection → our verifier, with and without key binding."""

from __future__ import annotations

import pytest

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
from keys.errors import JWSKeyUnknown
from keys.jws import Signer, VerificationKey, generate_private_key
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from schemas.errors import IssuerUntrusted
from verifiers.sd_jwt_verifier import VerifiedSdJwt, verify_sd_jwt

NOW = 1_767_225_600
NONCE = "q8vKc3Xh0YdS1tPz"
AUD = "x509_san_dns:bank.example"

HOUSEHOLD = {
    "head_of_household_name": "김민준",
    "address": {"sido": "서울특별시", "sigungu": "종로구", "road": "세종대로 209"},
    "members": [
        {"name": "김민준", "relationship": "본인", "rrn": "800301-1******"},
        {"name": "이서연", "relationship": "배우자", "rrn": "820715-2******"},
        {"name": "김하준", "relationship": "자녀", "rrn": "121130-3******"},
    ],
    "issuing_office": "서울특별시 종로구 청운효자동장",
}
PLAN = plan_from_paths(
    [
        ("head_of_household_name",),
        ("address",),
        ("address", "road"),
        ("members", None),
        ("members", None, "name"),
        ("members", None, "rrn"),
    ]
)


@pytest.fixture(scope="module", params=["ES256", "EdDSA"])
def issuer(request: pytest.FixtureRequest) -> Signer:
    return Signer.from_private_key(generate_private_key(request.param))


@pytest.fixture(scope="module", params=["ES256", "EdDSA"])
def holder(request: pytest.FixtureRequest) -> Signer:
    return Signer.from_private_key(generate_private_key(request.param))


@pytest.fixture(scope="module")
def credential(issuer: Signer, holder: Signer) -> str:
    return issue_sd_jwt(
        signer=issuer,
        claims=HOUSEHOLD,
        disclosable=PLAN,
        registered={"iss": "https://mois.example", "iat": NOW, "exp": NOW + 3600, "vct": "urn:household", "cnf": {"jwk": holder.public_jwk}},
        decoys=range(1, 4),
    ).compact


def present(credential: str, holder: Signer, paths: list, *, nonce: str = NONCE, aud: str = AUD, iat: int = NOW) -> str:  # type: ignore[type-arg]
    """What the holder's device does: select, then sign the KB-JWT with its own key."""
    presentation = select_disclosures(credential, paths)
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=nonce, aud=aud, iat=iat)
    return attach_kb_jwt(presentation, holder.sign_compact(header, payload, include_kid=False))


def verify(presentation: str, issuer: Signer, *, kb: bool = True) -> VerifiedSdJwt:
    return verify_sd_jwt(
        presentation,
        issuer_key=issuer.verification_key(),
        require_key_binding=kb,
        expected_nonce=NONCE if kb else None,
        expected_aud=AUD if kb else None,
        now=NOW,
    )


def test_full_disclosure_without_kb(credential: str, issuer: Signer) -> None:
    verified = verify(credential, issuer, kb=False)
    assert {k: verified.claims[k] for k in HOUSEHOLD} == HOUSEHOLD
    assert "_sd" not in repr(verified.claims) and "_sd_alg" not in verified.claims
    assert verified.kb_payload is None and verified.holder_jwk is None
    assert verified.issuer_key_kid == issuer.kid
    assert verified.issuer_payload["_sd_alg"] == "sha-256"
    assert ("members", 2, "rrn") in verified.disclosed_paths and ("address", "road") in verified.disclosed_paths


def test_subset_with_kb(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = present(credential, holder, [("members", 1, "name"), ("address", "sido")])
    verified = verify(presentation, issuer)
    assert verified.claims["members"] == [{"name": "이서연", "relationship": "배우자"}]
    # asking for the plain "sido" needs the address disclosure but not the hidden road
    assert verified.claims["address"] == {"sido": "서울특별시", "sigungu": "종로구"}
    assert "head_of_household_name" not in verified.claims
    assert verified.claims["issuing_office"] == HOUSEHOLD["issuing_office"]
    assert verified.disclosed_paths == {("members", 0), ("members", 0, "name"), ("address",)}
    assert verified.holder_jwk == holder.public_jwk
    assert verified.kb_payload is not None and verified.kb_payload["nonce"] == NONCE


def test_nothing_disclosed_with_kb(credential: str, issuer: Signer, holder: Signer) -> None:
    verified = verify(present(credential, holder, []), issuer)
    assert verified.claims["members"] == []  # undisclosed elements are dropped
    assert "address" not in verified.claims and not verified.disclosed_paths


def test_kb_present_but_not_required_is_still_checked(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = present(credential, holder, [("head_of_household_name",)])
    verified = verify_sd_jwt(
        presentation, issuer_key=issuer.verification_key(), require_key_binding=False,
        expected_nonce=None, expected_aud=None, now=NOW,
    )
    assert verified.holder_jwk == holder.public_jwk


def test_resolver_sees_header_and_unverified_payload(credential: str, issuer: Signer) -> None:
    seen: list[tuple[dict, dict]] = []  # type: ignore[type-arg]

    def resolve(header: dict, unverified_payload: dict) -> VerificationKey:  # type: ignore[type-arg]
        seen.append((header, unverified_payload))
        return issuer.verification_key()

    verified = verify_sd_jwt(
        credential, issuer_key=resolve, require_key_binding=False, expected_nonce=None, expected_aud=None, now=NOW
    )
    assert seen[0][0]["kid"] == issuer.kid and seen[0][1]["iss"] == "https://mois.example"
    assert verified.claims["head_of_household_name"] == "김민준"


def test_unknown_issuer_key_is_untrusted(credential: str) -> None:
    def resolve(header: dict, unverified_payload: dict) -> VerificationKey:  # type: ignore[type-arg]
        raise JWSKeyUnknown(header.get("kid"))

    with pytest.raises(IssuerUntrusted) as info:
        verify_sd_jwt(credential, issuer_key=resolve, require_key_binding=False, expected_nonce=None, expected_aud=None, now=NOW)
    assert info.value.code == "issuer_untrusted"


def test_required_kb_needs_nonce_and_aud(credential: str, issuer: Signer) -> None:
    with pytest.raises(ValueError):
        verify_sd_jwt(credential, issuer_key=issuer.verification_key(), require_key_binding=True, expected_nonce=None, expected_aud=AUD, now=NOW)


def test_custom_typ(issuer: Signer) -> None:
    issued = issue_sd_jwt(signer=issuer, claims={"a": 1}, disclosable=plan_from_paths([("a",)]), registered={"iss": "x"}, typ="vc+sd-jwt")
    verified = verify_sd_jwt(
        issued.compact, issuer_key=issuer.verification_key(), expected_typ="vc+sd-jwt",
        require_key_binding=False, expected_nonce=None, expected_aud=None, now=NOW,
    )
    assert verified.claims == {"iss": "x", "a": 1}


# --- the steps: each checks what it is given ------------------------------------------------
def test_a_forged_signature_or_another_key_is_refused_by_the_signature_step(credential: str, issuer: Signer) -> None:
    from schemas.errors import SignatureInvalid
    from verifiers.sd_jwt_verifier import check_issuer_header, parse_presentation, verify_issuer_signature

    key = issuer.verification_key()
    issuer_jwt, rest = credential.split("~", 1)
    head, body, signature = issuer_jwt.split(".")
    forged = parse_presentation(f"{head}.{body}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}~{rest}")
    with pytest.raises(SignatureInvalid):
        verify_issuer_signature(forged, key, check_issuer_header(forged))
    genuine = parse_presentation(credential)
    other = Signer.from_private_key(generate_private_key(issuer.alg)).verification_key()
    with pytest.raises(SignatureInvalid):
        verify_issuer_signature(genuine, other, check_issuer_header(genuine))
    assert verify_issuer_signature(genuine, key, check_issuer_header(genuine))["iss"]
