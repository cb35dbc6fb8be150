"""Hostile input ends in a ``VerificationError``, never in KeyError/TypeError/ValueError.

Seeded, so a failure reproduces. The structured cases are signed with the trusted issuer
key so they reach the code after the signature check; for those the verifier's last-resort
net (``unprocessable SD-JWT``) must not be what caught them.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
from keys.b64 import b64url_encode
from keys.jws import Signer, generate_private_key
from keys.sd_jwt import Disclosure, attach_kb_jwt, kb_jwt_signing_input, sd_hash, select_disclosures
from schemas.errors import VerificationError
from verifiers.sd_jwt_verifier import verify_sd_jwt

NOW = 1_767_225_600
NONCE, AUD = "n", "a"
ALPHABET = string.ascii_letters + string.digits + "-_.~=+/ {}[]\",:" + "é한"


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.fixture(scope="module")
def holder() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.fixture(scope="module")
def presentation(issuer: Signer, holder: Signer) -> str:
    issued = issue_sd_jwt(
        signer=issuer,
        claims={"a": "x", "o": {"p": 1, "q": [1, 2]}, "l": ["u", "v"]},
        disclosable=plan_from_paths([("a",), ("o",), ("o", "p"), ("o", "q", None), ("l", None)]),
        registered={"iss": "i", "cnf": {"jwk": holder.public_jwk}},
        decoys=range(1, 3),
    )
    selected = select_disclosures(issued.compact, [("a",), ("o",), ("l", 1)])
    header, payload = kb_jwt_signing_input(presentation=selected, nonce=NONCE, aud=AUD, iat=NOW)
    return attach_kb_jwt(selected, holder.sign_compact(header, payload, include_kid=False))


def _outcome(text: Any, issuer: Signer, *, kb: bool) -> VerificationError | None:
    try:
        verify_sd_jwt(
            text, issuer_key=issuer.verification_key(), require_key_binding=kb,
            expected_nonce=NONCE, expected_aud=AUD, now=NOW,
        )
    except VerificationError as exc:
        return exc
    return None


def test_random_strings(issuer: Signer) -> None:
    rng = random.Random(9901)
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 120)))
        outcome = _outcome(text, issuer, kb=rng.random() < 0.5)
        assert isinstance(outcome, VerificationError) and "unprocessable" not in outcome.detail
    for value in (None, 3, b"a.b.c~", ["a"], {"a": 1}):
        assert isinstance(_outcome(value, issuer, kb=False), VerificationError)


def _mutations(rng: random.Random, text: str) -> str:
    parts = text.split("~")
    choice = rng.randrange(8)
    if choice == 0:  # flip one character
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
    if choice == 1:  # drop a component
        del parts[rng.randrange(len(parts))]
    elif choice == 2:  # duplicate a component
        i = rng.randrange(len(parts))
        parts.insert(i, parts[i])
    elif choice == 3:  # swap two components
        i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
        parts[i], parts[j] = parts[j], parts[i]
    elif choice == 4:  # truncate
        return text[: rng.randrange(len(text))]
    elif choice == 5:  # insert a character
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(ALPHABET) + text[i:]
    elif choice == 6:  # splice dots and tildes
        i = rng.randrange(len(text))
        return text[:i] + rng.choice([".", "~", "..", "~~", "~.~"]) + text[i:]
    else:  # replace a component by random base64url of JSON
        junk = rng.choice(['[]', '["s"]', '["s",1,2]', '{"a":1}', '"x"', "null", '["s","_sd",[]]', "[" * 50])
        parts[rng.randrange(len(parts))] = b64url_encode(junk.encode())
    return "~".join(parts)


def test_mutated_presentations(presentation: str, issuer: Signer) -> None:
    assert _outcome(presentation, issuer, kb=True) is None
    rng = random.Random(20251)
    rejected = 0
    for _ in range(1500):
        mutated = _mutations(rng, presentation)
        outcome = _outcome(mutated, issuer, kb=rng.random() < 0.7)
        if outcome is not None:
            assert "unprocessable" not in outcome.detail, (mutated, outcome.detail)
            rejected += 1
    assert rejected > 1000  # most mutations break something; none may escape as a bare exception


def _signed(issuer: Signer, payload: Any, disclosures: list[str], kb: str = "") -> str:
    # raw bytes, so that payloads that are not objects get signed too
    jwt = issuer.sign_compact({"typ": "dc+sd-jwt"}, json.dumps(payload).encode())
    return "~".join([jwt, *disclosures, kb])


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": [value]}
    return value


STRUCTURED: list[tuple[str, Any, list[str]]] = [
    ("payload-is-array", ["_sd"], []),
    ("payload-is-string", "x", []),
    ("_sd-not-list", {"_sd": "abc"}, []),
    ("_sd-object", {"_sd": {"a": 1}}, []),
    ("_sd-has-int", {"_sd": [1]}, []),
    ("_sd-has-list", {"_sd": [["x"]]}, []),
    ("dots-int", {"l": [{"...": 5}]}, []),
    ("dots-list", {"l": [{"...": ["x"]}]}, []),
    ("dots-extra-member", {"l": [{"...": "x", "b": 1}]}, []),
    ("_sd_alg-int", {"_sd_alg": 1}, []),
    ("_sd_alg-null", {"_sd_alg": None}, []),
    ("too-deep", _deep(200), []),
    ("cnf-string", {"cnf": "x"}, []),
    ("cnf-jwk-string", {"cnf": {"jwk": "x"}}, []),
    ("cnf-jwk-rsa", {"cnf": {"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}}, []),
    ("cnf-jwk-missing-y", {"cnf": {"jwk": {"kty": "EC", "crv": "P-256", "x": "AAAA"}}}, []),
    ("cnf-jwk-private", {"cnf": {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "A" * 43}}}, []),
    ("cnf-jwk-off-curve", {"cnf": {"jwk": {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}}}, []),
]


@pytest.mark.parametrize("payload,disclosures", [pytest.param(p, d, id=i) for i, p, d in STRUCTURED])
def test_structured_garbage_after_the_signature(issuer: Signer, holder: Signer, payload: Any, disclosures: list[str]) -> None:
    kb = holder.sign_compact({"typ": "kb+jwt"}, {"iat": NOW, "nonce": NONCE, "aud": AUD, "sd_hash": "x"}, include_kid=False)
    for tail in ("", kb):
        outcome = _outcome(_signed(issuer, payload, disclosures, tail), issuer, kb=bool(tail))
        if outcome is None:
            # cnf is only read when a KB-JWT is there to check against it
            assert not tail and isinstance(payload, dict) and "cnf" in payload
            continue
        assert "unprocessable" not in outcome.detail, outcome.detail


@pytest.mark.parametrize(
    "kb_payload",
    [
        {"iat": "now", "nonce": NONCE, "aud": AUD},
        {"iat": True, "nonce": NONCE, "aud": AUD},
        {"iat": 1.5e300, "nonce": NONCE, "aud": AUD},
        {"iat": NOW, "nonce": [NONCE], "aud": {"a": AUD}},
        {},
    ],
)
def test_structured_garbage_in_the_kb_jwt(issuer: Signer, holder: Signer, kb_payload: dict[str, Any]) -> None:
    jwt_only = _signed(issuer, {"cnf": {"jwk": holder.public_jwk}}, [], "")
    kb = holder.sign_compact({"typ": "kb+jwt"}, {**kb_payload, "sd_hash": sd_hash(jwt_only)}, include_kid=False)
    outcome = _outcome(jwt_only + kb, issuer, kb=True)
    assert isinstance(outcome, VerificationError)
    assert "unprocessable" not in outcome.detail, outcome.detail


def test_a_disclosure_nesting_its_own_digest_is_refused(issuer: Signer) -> None:
    # a digest cannot be met twice, so a disclosure cannot expand into itself or loop
    inner = Disclosure.create("c2FsdA", "x", 1)
    outer = Disclosure.create("c2FsdB", "o", {"_sd": [inner.digest], "again": [{"...": inner.digest}]})
    outcome = _outcome(_signed(issuer, {"_sd": [outer.digest]}, [outer.encoded, inner.encoded], ""), issuer, kb=False)
    assert isinstance(outcome, VerificationError) and outcome.code == "disclosure_invalid"
