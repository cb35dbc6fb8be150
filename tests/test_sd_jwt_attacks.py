"""One named test per known attack on SD-JWT verification, asserting class and code."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
from keys.b64 import b64url_decode, b64url_encode
from keys.jws import Signer, generate_private_key
from keys.sd_jwt import Disclosure, attach_kb_jwt, digest_of, kb_jwt_signing_input, sd_hash, select_disclosures, split_sd_jwt
from schemas.errors import (
    DisclosureInvalid,
    HolderBindingFailed,
    Malformed,
    NonceMismatch,
    SignatureInvalid,
    TypeMismatch,
    VerificationError,
)
from verifiers.sd_jwt_verifier import VerifiedSdJwt, verify_sd_jwt

NOW = 1_767_225_600
NONCE = "n-0c9f2b"
AUD = "x509_san_dns:bank.example"
CLAIMS = {"name": "홍길동", "age_over_19": True, "address": {"sido": "서울특별시", "road": "세종대로 209"}, "office": "종로구청"}
PLAN = plan_from_paths([("name",), ("age_over_19",), ("address",), ("address", "road")])


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.fixture(scope="module")
def holder() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.fixture(scope="module")
def attacker() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


def _registered(holder: Signer) -> dict[str, Any]:
    return {"iss": "https://mois.example", "iat": NOW, "exp": NOW + 3600, "vct": "urn:t", "cnf": {"jwk": holder.public_jwk}}


@pytest.fixture(scope="module")
def credential(issuer: Signer, holder: Signer) -> str:
    return issue_sd_jwt(signer=issuer, claims=CLAIMS, disclosable=PLAN, registered=_registered(holder)).compact


def _kb(presentation: str, signer: Signer, *, nonce: str = NONCE, aud: str = AUD, iat: int = NOW) -> str:
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=nonce, aud=aud, iat=iat)
    return attach_kb_jwt(presentation, signer.sign_compact(header, payload, include_kid=False))


def _verify(presentation: str, issuer: Signer, *, kb: bool = True) -> VerifiedSdJwt:
    return verify_sd_jwt(
        presentation,
        issuer_key=issuer.verification_key(),
        require_key_binding=kb,
        expected_nonce=NONCE if kb else None,
        expected_aud=AUD if kb else None,
        now=NOW,
    )


def _raises(exc: type[VerificationError], code: str, presentation: str, issuer: Signer, *, kb: bool = False) -> None:
    with pytest.raises(exc) as info:
        _verify(presentation, issuer, kb=kb)
    assert info.value.code == code
    assert type(info.value) is exc


def _jwt(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url_encode(signature)}"


def _issuer_parts(credential: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    parts = split_sd_jwt(credential)
    head, body, _ = parts.issuer_jwt.split(".")
    return json.loads(b64url_decode(head)), json.loads(b64url_decode(body)), list(parts.disclosures)


def _with_jwt(jwt: str, disclosures: list[str]) -> str:
    return "~".join([jwt, *disclosures, ""])


# --- issuer signature ---------------------------------------------------------------------


def test_alg_none(credential: str, issuer: Signer) -> None:
    header, payload, disclosures = _issuer_parts(credential)
    forged = _jwt({**header, "alg": "none"}, payload)
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(forged, disclosures), issuer)


def test_hs256_signed_with_the_issuers_public_key(credential: str, issuer: Signer) -> None:
    header, payload, disclosures = _issuer_parts(credential)
    public_pem = issuer.verification_key().public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    unsigned = _jwt({**header, "alg": "HS256"}, payload).rsplit(".", 1)[0]
    mac = hmac.new(public_pem, unsigned.encode(), hashlib.sha256).digest()
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(f"{unsigned}.{b64url_encode(mac)}", disclosures), issuer)


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_header_supplied_key(credential: str, issuer: Signer, attacker: Signer, member: str) -> None:
    header, payload, disclosures = _issuer_parts(credential)
    value: Any = {
        "jwk": attacker.public_jwk,
        "jku": "https://attacker.example/jwks",
        "x5u": "https://attacker.example/cert.pem",
        "x5c": ["MIIB"],
    }[member]
    payload["name"] = "attacker"
    forged = attacker.sign_compact({"typ": "dc+sd-jwt", member: value}, payload)
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(forged, disclosures), issuer)


def test_signed_by_another_key(credential: str, issuer: Signer, attacker: Signer) -> None:
    header, payload, disclosures = _issuer_parts(credential)
    forged = attacker.sign_compact({"typ": "dc+sd-jwt", "kid": issuer.kid}, payload, include_kid=False)
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(forged, disclosures), issuer)


def test_alg_other_than_the_keys(credential: str, issuer: Signer) -> None:
    eddsa = Signer.from_private_key(generate_private_key("EdDSA"), kid=issuer.kid)
    header, payload, disclosures = _issuer_parts(credential)
    forged = eddsa.sign_compact({"typ": "dc+sd-jwt"}, payload)
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(forged, disclosures), issuer)


def test_tampered_payload(credential: str, issuer: Signer) -> None:
    parts = split_sd_jwt(credential)
    head, body, signature = parts.issuer_jwt.split(".")
    payload = json.loads(b64url_decode(body))
    payload["exp"] = NOW + 10 * 365 * 86400
    tampered = f"{head}.{b64url_encode(json.dumps(payload).encode())}.{signature}"
    _raises(SignatureInvalid, "signature_invalid", _with_jwt(tampered, list(parts.disclosures)), issuer)


@pytest.mark.parametrize("typ", [None, "JWT", "example+sd-jwt", "vc+sd-jwt"])
def test_wrong_typ(issuer: Signer, holder: Signer, typ: str | None) -> None:
    header = {} if typ is None else {"typ": typ}
    jwt = issuer.sign_compact(header, {**_registered(holder), "_sd_alg": "sha-256"})
    _raises(TypeMismatch, "typ_invalid", jwt + "~", issuer)


# --- disclosures ----------------------------------------------------------------------------


def test_tampered_disclosure(credential: str, issuer: Signer) -> None:
    header, payload, disclosures = _issuer_parts(credential)
    original = Disclosure.parse(disclosures[0])
    forged = Disclosure.create(original.salt, original.name, "forged value")
    presentation = credential.replace(disclosures[0], forged.encoded)
    _raises(DisclosureInvalid, "disclosure_invalid", presentation, issuer)


def test_extra_disclosure_not_referenced(credential: str, issuer: Signer) -> None:
    extra = Disclosure.create("c2FsdHNhbHRzYWx0c2FsdA", "age_over_65", True)
    _raises(DisclosureInvalid, "disclosure_invalid", credential + extra.encoded + "~", issuer)


def test_duplicated_disclosure(credential: str, issuer: Signer) -> None:
    first = split_sd_jwt(credential).disclosures[0]
    _raises(DisclosureInvalid, "disclosure_invalid", credential + first + "~", issuer)


def test_disclosure_from_another_credential(issuer: Signer, holder: Signer, credential: str) -> None:
    other = issue_sd_jwt(signer=issuer, claims={"age_over_19": False}, disclosable=plan_from_paths([("age_over_19",)]), registered=_registered(holder))
    (foreign,) = split_sd_jwt(other.compact).disclosures
    presentation = select_disclosures(credential, [("name",)]) + foreign + "~"
    _raises(DisclosureInvalid, "disclosure_invalid", presentation, issuer)


def test_digest_appearing_twice(issuer: Signer, holder: Signer) -> None:
    d = Disclosure.create("c2FsdDE", "name", "홍길동")
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": [d.digest, d.digest], "_sd_alg": "sha-256"})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [d.encoded]), issuer)
    # also when one of the two places is an array element, and when the digest is not disclosed
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": [d.digest], "list": [{"...": d.digest}]})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, []), issuer)


def test_disclosed_name_collides_with_plain_claim(issuer: Signer, holder: Signer) -> None:
    d = Disclosure.create("c2FsdDE", "iss", "https://attacker.example")
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": [d.digest]})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [d.encoded]), issuer)


def test_two_disclosures_with_the_same_name(issuer: Signer, holder: Signer) -> None:
    a = Disclosure.create("c2FsdDE", "name", "홍길동")
    b = Disclosure.create("c2FsdDI", "name", "김철수")
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": sorted([a.digest, b.digest])})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [a.encoded, b.encoded]), issuer)


def test_disclosure_kind_must_match_its_place(issuer: Signer, holder: Signer) -> None:
    element = Disclosure.create("c2FsdDE", None, "US")
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": [element.digest]})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [element.encoded]), issuer)
    member = Disclosure.create("c2FsdDI", "n", "US")
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "list": [{"...": member.digest}]})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [member.encoded]), issuer)


def test_sd_alg_other_than_sha256(issuer: Signer, holder: Signer) -> None:
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd_alg": "sha-512"})
    _raises(DisclosureInvalid, "disclosure_invalid", jwt + "~", issuer)


def test_reserved_claim_name_in_disclosure(issuer: Signer, holder: Signer) -> None:
    sneaky = b64url_encode(json.dumps(["c2FsdA", "_sd", ["x"]]).encode())
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, {**_registered(holder), "_sd": [digest_of(sneaky)]})
    _raises(DisclosureInvalid, "disclosure_invalid", _with_jwt(jwt, [sneaky]), issuer)


# --- key binding ----------------------------------------------------------------------------


def test_kb_with_wrong_sd_hash(credential: str, issuer: Signer, holder: Signer) -> None:
    # the verifier is shown fewer disclosures than the holder signed for: stripping one breaks sd_hash
    full = _kb(select_disclosures(credential, [("name",), ("age_over_19",)]), holder)
    parts = split_sd_jwt(full)
    stripped = "~".join([parts.issuer_jwt, parts.disclosures[0], parts.kb_jwt or ""])
    _raises(HolderBindingFailed, "holder_binding_failed", stripped, issuer, kb=True)


def test_kb_sd_hash_over_another_presentation(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = select_disclosures(credential, [("name",)])
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=NONCE, aud=AUD, iat=NOW)
    payload["sd_hash"] = sd_hash(select_disclosures(credential, [("age_over_19",)]))
    forged = attach_kb_jwt(presentation, holder.sign_compact(header, payload, include_kid=False))
    _raises(HolderBindingFailed, "holder_binding_failed", forged, issuer, kb=True)


def test_kb_wrong_nonce(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = _kb(select_disclosures(credential, [("name",)]), holder, nonce="replayed-nonce")
    _raises(NonceMismatch, "nonce_mismatch", presentation, issuer, kb=True)


def test_kb_wrong_aud(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = _kb(select_disclosures(credential, [("name",)]), holder, aud="x509_san_dns:other-bank.example")
    _raises(NonceMismatch, "nonce_mismatch", presentation, issuer, kb=True)


def test_kb_stale_iat(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = _kb(select_disclosures(credential, [("name",)]), holder, iat=NOW - 301)
    _raises(HolderBindingFailed, "holder_binding_failed", presentation, issuer, kb=True)


def test_kb_iat_in_the_future(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = _kb(select_disclosures(credential, [("name",)]), holder, iat=NOW + 61)
    _raises(HolderBindingFailed, "holder_binding_failed", presentation, issuer, kb=True)


def test_kb_iat_within_leeway_is_accepted(credential: str, issuer: Signer, holder: Signer) -> None:
    for iat in (NOW - 300, NOW + 60):
        assert _verify(_kb(select_disclosures(credential, [("name",)]), holder, iat=iat), issuer).kb_payload


def test_missing_kb_when_required(credential: str, issuer: Signer) -> None:
    _raises(HolderBindingFailed, "holder_binding_failed", select_disclosures(credential, [("name",)]), issuer, kb=True)


def test_kb_signed_by_another_key(credential: str, issuer: Signer, attacker: Signer) -> None:
    presentation = _kb(select_disclosures(credential, [("name",)]), attacker)
    _raises(HolderBindingFailed, "holder_binding_failed", presentation, issuer, kb=True)


def test_kb_alg_none(credential: str, issuer: Signer) -> None:
    presentation = select_disclosures(credential, [("name",)])
    _, payload = kb_jwt_signing_input(presentation=presentation, nonce=NONCE, aud=AUD, iat=NOW)
    forged = presentation + _jwt({"alg": "none", "typ": "kb+jwt"}, payload)
    _raises(HolderBindingFailed, "holder_binding_failed", forged, issuer, kb=True)


def test_kb_with_header_jwk_of_the_attacker(credential: str, issuer: Signer, attacker: Signer) -> None:
    presentation = select_disclosures(credential, [("name",)])
    header, payload = kb_jwt_signing_input(
        presentation=presentation, nonce=NONCE, aud=AUD, iat=NOW, header_extras={"jwk": attacker.public_jwk}
    )
    forged = attach_kb_jwt(presentation, attacker.sign_compact(header, payload, include_kid=False))
    _raises(HolderBindingFailed, "holder_binding_failed", forged, issuer, kb=True)


def test_kb_wrong_typ(credential: str, issuer: Signer, holder: Signer) -> None:
    presentation = select_disclosures(credential, [("name",)])
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=NONCE, aud=AUD, iat=NOW)
    forged = attach_kb_jwt(presentation, holder.sign_compact({**header, "typ": "JWT"}, payload, include_kid=False))
    _raises(TypeMismatch, "typ_invalid", forged, issuer, kb=True)


def test_kb_for_a_credential_without_cnf(issuer: Signer, holder: Signer) -> None:
    unbound = issue_sd_jwt(signer=issuer, claims={"name": "x"}, disclosable=PLAN, registered={"iss": "https://mois.example"}).compact
    payload = {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": sd_hash(unbound)}
    forged = unbound + holder.sign_compact({"typ": "kb+jwt"}, payload, include_kid=False)
    _raises(HolderBindingFailed, "holder_binding_failed", forged, issuer, kb=True)


def test_kb_replayed_onto_another_credential(issuer: Signer, holder: Signer, credential: str) -> None:
    other = issue_sd_jwt(signer=issuer, claims=CLAIMS, disclosable=PLAN, registered=_registered(holder)).compact
    bound = _kb(select_disclosures(credential, [("name",)]), holder)
    kb_jwt = split_sd_jwt(bound).kb_jwt or ""
    _raises(HolderBindingFailed, "holder_binding_failed", select_disclosures(other, [("name",)]) + kb_jwt, issuer, kb=True)


def test_truncated_presentation_is_malformed(credential: str, issuer: Signer) -> None:
    _raises(Malformed, "malformed", split_sd_jwt(credential).issuer_jwt, issuer)
