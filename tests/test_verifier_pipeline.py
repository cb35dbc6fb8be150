"""verify_presentation as a library: named checks, profiles, trust list, and one test per
known attack. Real ES256 everywhere; the only stand-in is the status list fetch."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from sqlmodel import Session, func, select

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
from keys.b64 import b64url_decode, b64url_encode
from keys.jws import Signer, generate_private_key, json_compact
from keys.sd_jwt import Disclosure, attach_kb_jwt, kb_jwt_signing_input, select_disclosures, split_sd_jwt
from schemas.registry import load_registry
from schemas.status_list import STATUS_LIST_JWT_TYP, STATUS_LIST_MEDIA_TYPE, encode_status_list
from verifiers.models import UsedNonce
from verifiers.pipeline import ChallengeMissing, verify_presentation
from verifiers.profiles import PROFILES, CheckStep, Profile
from verifiers.result import VerificationResult
from verifiers.status_check import StatusListChecker
from verifiers.trust import StaticKeys, TrustedIssuer, TrustList, keys_from_jwks, load_trust_list

NOW = 1_750_000_000
ISS = "https://test-issuer.example"
VCT = ISS + "/vct/resident_registration_abstract"
STATUS_URI = ISS + "/status-lists/1"
NONCE = "n-0S6_WzA2Mj"
AUD = "x509_hash:test-verifier"
VALID_IDX, REVOKED_IDX, SUSPENDED_IDX = 0, 1, 2

ISSUER = Signer.from_private_key(generate_private_key("ES256"), kid="issuer-1")
HOLDER = Signer.from_private_key(generate_private_key("ES256"))
ATTACKER = Signer.from_private_key(generate_private_key("ES256"), kid="issuer-1")
REGISTRY = load_registry()
TRUST = TrustList([TrustedIssuer(ISS, StaticKeys({"issuer-1": ISSUER.verification_key()}), {VCT: "resident_registration_abstract"})])
CLAIMS = {
    "name": "홍길동",
    "resident_registration_number": "900101-1234567",
    "current_address": "서울특별시 종로구 세종대로 209",
    "address_history": [{"address": "부산광역시 해운대구", "moved_in": "2015-03-02"}],
}
PLAN = plan_from_paths([("name",), ("resident_registration_number",), ("current_address",), ("address_history",)])


def credential(*, idx: int = VALID_IDX, signer: Signer = ISSUER, **registered: Any) -> str:
    base = {
        "iss": ISS,
        "iat": NOW - 3600,
        "exp": NOW + 86400,
        "vct": VCT,
        "cnf": {"jwk": HOLDER.public_jwk},
        "status": {"status_list": {"idx": idx, "uri": STATUS_URI}},
    }
    base.update(registered)
    return issue_sd_jwt(signer=signer, claims=CLAIMS, disclosable=PLAN, registered={k: v for k, v in base.items() if v is not None}).compact


def with_kb(without_kb: str, *, nonce: str = NONCE, aud: str = AUD, iat: int = NOW, holder: Signer = HOLDER, **overrides: Any) -> str:
    header, payload = kb_jwt_signing_input(presentation=without_kb, nonce=nonce, aud=aud, iat=iat)
    payload.update(overrides)
    return attach_kb_jwt(without_kb, holder.sign_compact(header, payload, include_kid=False))


def present(compact: str, paths: list[tuple[Any, ...]] | None = None, **kb: Any) -> str:
    return with_kb(select_disclosures(compact, paths or [("name",), ("current_address",)]), **kb)


def status_token(*, exp: int = NOW + 3600, signer: Signer = ISSUER) -> str:
    payload = {
        "iss": ISS,
        "sub": STATUS_URI,
        "iat": NOW - 60,
        "exp": exp,
        "ttl": 300,
        "status_list": encode_status_list([0, 1, 2, 0]),
    }
    return signer.sign_compact({"typ": STATUS_LIST_JWT_TYP}, payload)


def checker(token: str | None = None) -> StatusListChecker:
    body = token or status_token()
    return StatusListChecker(
        lambda uri: (STATUS_LIST_MEDIA_TYPE, body),
        lambda header, payload: TRUST.issuer(payload.get("iss")).key(header.get("kid")),
        lambda: NOW,
    )


def verify(session: Session, presentation: str, *, profile: Profile = PROFILES["bank"], status: StatusListChecker | None = None,
           trust: TrustList = TRUST, now: int = NOW, nonce: str = NONCE, audience: str = AUD) -> VerificationResult:
    return verify_presentation(
        session, presentation=presentation, profile=profile, trust=trust, status_checker=status or checker(),
        nonce=nonce, audience=audience, now=now, registry=REGISTRY,
    )


def used(session: Session) -> int:
    return session.exec(select(func.count()).select_from(UsedNonce)).one()


def rejected(session: Session, presentation: str, code: str, **kwargs: Any) -> VerificationResult:
    before = used(session)
    result = verify(session, presentation, **kwargs)
    assert (result.valid, result.code) == (False, code), result.public()
    assert result.claims == {}
    assert [c.passed for c in result.checks][-1] is False and result.checks[-1].code == code
    assert used(session) == before, "a rejection must write nothing"
    return result


def reencode(token: str, *, header: dict[str, Any] | None = None, payload: dict[str, Any] | None = None, sign: Callable[[bytes], bytes] | None = None) -> str:
    """A compact JWS with its header/payload replaced; the old signature kept unless ``sign``."""
    h, p, s = token.split(".")
    h = b64url_encode(json_compact(header)) if header is not None else h
    p = b64url_encode(json_compact(payload)) if payload is not None else p
    s = b64url_encode(sign(f"{h}.{p}".encode())) if sign is not None else s
    return f"{h}.{p}.{s}"


def swap_issuer_jwt(compact: str, new_jwt: str) -> str:
    return new_jwt + compact[compact.index("~"):]


def header_of(compact: str) -> dict[str, Any]:
    return json.loads(b64url_decode(compact.split(".")[0]))


def payload_of(compact: str) -> dict[str, Any]:
    return json.loads(b64url_decode(compact.split("~")[0].split(".")[1]))


# --- the happy path -----------------------------------------------------------------------


def test_valid_presentation_shows_disclosed_claims_labels_and_every_check(session: Session) -> None:
    result = verify(session, present(credential()))
    assert result.valid and result.code is None
    assert result.claims == {"name": CLAIMS["name"], "current_address": CLAIMS["current_address"]}
    assert result.issuer == ISS and result.vct == VCT and result.type_id == "resident_registration_abstract"
    assert result.labels["name"] == {"ko": "성명", "en": "Name"}
    assert "resident_registration_number" not in result.labels
    assert result.validity == {"iat": NOW - 3600, "exp": NOW + 86400}
    assert result.status == "valid"
    assert [c.id for c in result.checks] == PROFILES["bank"].check_ids
    assert all(c.passed for c in result.checks)
    assert used(session) == 1


def test_registered_claims_never_appear_as_claims(session: Session) -> None:
    result = verify(session, present(credential()))
    assert not {"iss", "cnf", "status", "vct", "exp"} & result.claims.keys()


def test_clock_skew_is_bounded(session: Session) -> None:
    assert verify(session, present(credential(exp=NOW - 30))).valid  # inside the 60 s leeway
    rejected(session, present(credential(exp=NOW - 61)), "expired")
    rejected(session, present(credential(nbf=NOW + 61)), "not_yet_valid")
    rejected(session, present(credential(iat=NOW + 3600)), "not_yet_valid")


def test_a_profile_needing_a_challenge_refuses_to_run_without_one(session: Session) -> None:
    with pytest.raises(ChallengeMissing):
        verify_presentation(session, presentation=present(credential()), profile=PROFILES["bank"], trust=TRUST,
                            status_checker=checker(), nonce=None, audience=None, now=NOW)


def test_upload_profile_accepts_no_key_binding_but_reports_it(session: Session) -> None:
    presentation = select_disclosures(credential(), [("name",)])
    result = verify(session, presentation, profile=PROFILES["upload"])
    assert result.valid and result.claims == {"name": CLAIMS["name"]}
    assert "nonce_audience" not in [c.id for c in result.checks]


def test_required_claims_of_a_profile(session: Session) -> None:
    profile = PROFILES["bank"].with_required_claims([["resident_registration_number"]])
    rejected(session, present(credential()), "claims_missing", profile=profile)


# --- trust ----------------------------------------------------------------------------------


def test_issuer_not_on_the_trust_list(session: Session) -> None:
    rejected(session, present(credential(iss="https://evil.example")), "issuer_untrusted")


def test_trusted_issuer_but_not_for_this_type(session: Session) -> None:
    rejected(session, present(credential(vct=ISS + "/vct/mobile_driver_licence")), "issuer_untrusted")


def test_trust_list_file_in_toml_and_json(tmp_path: Path, session: Session) -> None:
    jwk = {**ISSUER.public_jwk, "kid": "issuer-1"}
    toml = tmp_path / "trust.toml"
    toml.write_text(
        f'[[issuers]]\niss = "{ISS}"\njwks = {{ keys = [ {{ kty = "EC", crv = "P-256", x = "{jwk["x"]}", y = "{jwk["y"]}", kid = "issuer-1" }} ] }}\n'
        f'[issuers.types]\nresident_registration_abstract = "{VCT}"\n'
    )
    as_json = tmp_path / "trust.json"
    as_json.write_text(json.dumps({"issuers": [{"iss": ISS, "jwks": {"keys": [jwk]}, "types": {"resident_registration_abstract": VCT}}]}))
    for path in (toml, as_json):
        assert verify(session, present(credential()), trust=load_trust_list(path)).valid


# --- attacks on the issuer signature ------------------------------------------------------


def test_alg_none(session: Session) -> None:
    compact = credential()
    jwt = compact.split("~")[0]
    forged = reencode(jwt, header={"alg": "none", "typ": "dc+sd-jwt", "kid": "issuer-1"}, sign=lambda _: b"")
    rejected(session, present(swap_issuer_jwt(compact, forged)), "signature_invalid")


def test_hs256_signed_with_the_issuer_public_key(session: Session) -> None:
    compact = credential()
    pem = ISSUER.verification_key().public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = reencode(compact.split("~")[0], header={"alg": "HS256", "typ": "dc+sd-jwt", "kid": "issuer-1"},
                      sign=lambda data: hmac.new(pem, data, hashlib.sha256).digest())
    rejected(session, present(swap_issuer_jwt(compact, forged)), "signature_invalid")


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_header_supplied_keys(session: Session, member: str) -> None:
    value: Any = {
        "jwk": ATTACKER.public_jwk,
        "jku": "https://evil.example/jwks.json",
        "x5u": "https://evil.example/cert.pem",
        "x5c": ["MIIB"],
    }[member]
    compact = credential(signer=ATTACKER)
    jwt = compact.split("~")[0]
    forged = reencode(jwt, header={**header_of(jwt), member: value}, sign=ATTACKER.sign)
    rejected(session, present(swap_issuer_jwt(compact, forged)), "signature_invalid")


def test_unknown_kid(session: Session) -> None:
    stranger = Signer.from_private_key(generate_private_key("ES256"), kid="issuer-2")
    rejected(session, present(credential(signer=stranger)), "signature_invalid")


def test_right_kid_wrong_key(session: Session) -> None:
    rejected(session, present(credential(signer=ATTACKER)), "signature_invalid")


def test_tampered_payload(session: Session) -> None:
    compact = credential()
    jwt = compact.split("~")[0]
    payload = payload_of(compact)
    payload["exp"] = NOW + 10 * 365 * 86400
    rejected(session, present(swap_issuer_jwt(compact, reencode(jwt, payload=payload))), "signature_invalid")


def test_wrong_typ(session: Session) -> None:
    compact = issue_sd_jwt(signer=ISSUER, claims=CLAIMS, disclosable=PLAN, typ="JWT", registered={
        "iss": ISS, "iat": NOW, "exp": NOW + 60, "vct": VCT, "cnf": {"jwk": HOLDER.public_jwk},
        "status": {"status_list": {"idx": 0, "uri": STATUS_URI}}}).compact
    rejected(session, present(compact), "typ_invalid")


def test_garbage_is_malformed(session: Session) -> None:
    rejected(session, "not an sd-jwt", "malformed")
    rejected(session, "a.b.c~", "malformed")


# --- attacks on disclosures ----------------------------------------------------------------


def _disclosures(presentation: str) -> list[str]:
    return list(split_sd_jwt(presentation).disclosures)


def _rebuild(issuer_jwt: str, disclosures: list[str]) -> str:
    return "~".join([issuer_jwt, *disclosures, ""])


def test_tampered_disclosure(session: Session) -> None:
    selected = select_disclosures(credential(), [("name",)])
    [encoded] = _disclosures(selected)
    salt, name, _value = json.loads(b64url_decode(encoded))
    tampered = Disclosure.create(salt, name, "김철수").encoded
    rejected(session, with_kb(_rebuild(selected.split("~")[0], [tampered])), "disclosure_invalid")


def test_extra_made_up_disclosure(session: Session) -> None:
    selected = select_disclosures(credential(), [("name",)])
    extra = Disclosure.create("c2FsdHNhbHRzYWx0", "is_admin", True).encoded
    rejected(session, with_kb(_rebuild(selected.split("~")[0], [*_disclosures(selected), extra])), "disclosure_invalid")


def test_duplicated_disclosure(session: Session) -> None:
    selected = select_disclosures(credential(), [("name",)])
    disclosures = _disclosures(selected)
    rejected(session, with_kb(_rebuild(selected.split("~")[0], disclosures + disclosures)), "disclosure_invalid")


def test_disclosure_from_another_credential(session: Session) -> None:
    mine = select_disclosures(credential(), [("name",)])
    theirs = select_disclosures(credential(), [("resident_registration_number",)])
    spliced = _rebuild(mine.split("~")[0], _disclosures(mine) + _disclosures(theirs))
    rejected(session, with_kb(spliced), "disclosure_invalid")


# --- attacks on key binding -----------------------------------------------------------------


def test_wrong_sd_hash(session: Session) -> None:
    rejected(session, present(credential(), sd_hash=b64url_encode(hashlib.sha256(b"other").digest())), "holder_binding_failed")


def test_kb_jwt_covering_fewer_disclosures_than_presented(session: Session) -> None:
    compact = credential()
    signed_for = select_disclosures(compact, [("name",)])
    kb = with_kb(signed_for).rsplit("~", 1)[1]
    shown = select_disclosures(compact, [("name",), ("resident_registration_number",)])
    rejected(session, shown + kb, "holder_binding_failed")


def test_kb_jwt_signed_by_another_key(session: Session) -> None:
    rejected(session, present(credential(), holder=ATTACKER), "holder_binding_failed")


def test_wrong_nonce(session: Session) -> None:
    rejected(session, present(credential(), nonce="another-nonce"), "nonce_mismatch")


def test_wrong_aud(session: Session) -> None:
    rejected(session, present(credential(), aud="x509_hash:another-verifier"), "nonce_mismatch")


def test_stale_and_future_kb_iat(session: Session) -> None:
    rejected(session, present(credential(), iat=NOW - 301), "holder_binding_failed")
    rejected(session, present(credential(), iat=NOW + 120), "holder_binding_failed")


def test_missing_kb_jwt_when_required(session: Session) -> None:
    rejected(session, select_disclosures(credential(), [("name",)]), "holder_binding_failed")


def test_replayed_presentation(session: Session) -> None:
    presentation = present(credential())
    assert verify(session, presentation).valid
    result = rejected(session, presentation, "replayed")
    assert [c.id for c in result.checks][-1] == "replay"


def test_the_same_presentation_for_two_audiences_is_still_bound_to_one(session: Session) -> None:
    presentation = present(credential())
    assert verify(session, presentation).valid
    rejected(session, presentation, "nonce_mismatch", audience="x509_hash:someone-else")


# --- status ---------------------------------------------------------------------------------


def test_revoked(session: Session) -> None:
    result = rejected(session, present(credential(idx=REVOKED_IDX)), "revoked")
    assert result.status == "revoked"


def test_suspended(session: Session) -> None:
    result = rejected(session, present(credential(idx=SUSPENDED_IDX)), "suspended")
    assert result.status == "suspended"


def test_expired_status_list(session: Session) -> None:
    rejected(session, present(credential()), "status_unavailable", status=checker(status_token(exp=NOW - 1)))


def test_status_list_signed_by_someone_else(session: Session) -> None:
    rejected(session, present(credential()), "status_unavailable", status=checker(status_token(signer=ATTACKER)))


def test_credential_without_status_when_the_profile_requires_it(session: Session) -> None:
    rejected(session, present(credential(status=None)), "status_unavailable")


# --- the IETF reference implementation as a trusted external issuer ------------------------


def test_reference_implementation_sd_jwt_verifies(session: Session) -> None:
    import time

    from jwcrypto.jwk import JWK
    from sd_jwt.common import SDObj
    from sd_jwt.holder import SDJWTHolder
    from sd_jwt.issuer import SDJWTIssuer

    ref_iss = "https://reference-issuer.example"
    ref_vct = "urn:example:resident-registration"
    issuer_key = JWK.generate(kty="EC", crv="P-256", kid="ref-1")
    holder_key = JWK.generate(kty="EC", crv="P-256")
    now = int(time.time())
    issued = SDJWTIssuer(
        {
            "iss": ref_iss, "vct": ref_vct, "iat": now, "exp": now + 3600,
            SDObj("name"): "홍길동", SDObj("current_address"): "서울특별시 종로구", SDObj("resident_registration_number"): "900101-1234567",
        },
        issuer_key,
        holder_key,
        add_decoy_claims=True,
        extra_header_parameters={"typ": "dc+sd-jwt", "kid": "ref-1"},
    ).sd_jwt_issuance
    holder = SDJWTHolder(issued)
    holder.create_presentation({"name": True, "current_address": True}, NONCE, AUD, holder_key, "ES256")

    jwks = {"keys": [issuer_key.export_public(as_dict=True)]}
    trust = TRUST.with_issuer(TrustedIssuer(ref_iss, StaticKeys(keys_from_jwks(jwks)), {ref_vct: "resident_registration_abstract"}))
    # the reference issuer publishes no status list: a profile is only data, so drop that check
    no_status = Profile("no-status", tuple(s if s.id != "status" else CheckStep("status", {"required": False}) for s in PROFILES["bank"].steps))
    result = verify(session, holder.sd_jwt_presentation, trust=trust, profile=no_status, now=now)
    assert result.valid, result.public()
    assert result.claims == {"name": "홍길동", "current_address": "서울특별시 종로구"}
    assert result.labels["current_address"]["ko"] == "현 주소"

    # and the same presentation from an issuer that is not on the list is refused
    assert verify(session, holder.sd_jwt_presentation, profile=no_status, now=now).code == "issuer_untrusted"
