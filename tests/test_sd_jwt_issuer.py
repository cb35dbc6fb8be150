"""Issuing SD-JWTs: payload layout, salts, decoys, recursion, plans from type definitions."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import pytest

from issuers.sd_jwt_issuer import SdPlan, issue_sd_jwt, plan_from_paths, plan_from_type
from keys.jws import Signer, generate_private_key, parse_compact
from keys.sd_jwt import ClaimPath, Disclosure, select_disclosures
from verifiers.sd_jwt_verifier import verify_sd_jwt

NOW = 1_767_225_600


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"), kid="mois-2026-01")


@pytest.fixture(scope="module")
def holder() -> Signer:
    return Signer.from_private_key(generate_private_key("EdDSA"))


def _registered(holder: Signer) -> dict:  # type: ignore[type-arg]
    return {
        "iss": "https://mois.example",
        "iat": NOW,
        "exp": NOW + 86_400,
        "vct": "https://ecert.example/types/resident_registration_copy",
        "cnf": {"jwk": holder.public_jwk},
        "status": {"status_list": {"idx": 7, "uri": "https://ecert.example/status/1"}},
    }


def test_payload_layout(issuer: Signer, holder: Signer) -> None:
    claims = {"name": "홍길동", "age_over_19": True, "issuing_office": "종로구청"}
    issued = issue_sd_jwt(
        signer=issuer, claims=claims, disclosable=plan_from_paths([("name",), ("age_over_19",)]), registered=_registered(holder)
    )
    jws = parse_compact(issued.compact.split("~")[0])
    assert jws.unverified_header == {"alg": "ES256", "typ": "dc+sd-jwt", "kid": "mois-2026-01"}
    payload = jws.unverified_claims()
    assert payload == issued.payload
    assert payload["_sd_alg"] == "sha-256"
    for name in ("iss", "iat", "exp", "vct", "cnf", "status", "issuing_office"):
        assert name in payload  # registered and non-disclosable claims stay plain
    assert "name" not in payload and "age_over_19" not in payload
    assert payload["_sd"] == sorted(payload["_sd"]) == sorted(d.digest for d in issued.disclosures)
    assert issued.compact == "~".join([issued.compact.split("~")[0], *(d.encoded for d in issued.disclosures), ""])


def test_salts_are_128_bit_and_unique(issuer: Signer, holder: Signer) -> None:
    claims = {f"c{i}": i for i in range(40)}
    issued = issue_sd_jwt(
        signer=issuer, claims=claims, disclosable=plan_from_paths([(k,) for k in claims]), registered=_registered(holder)
    )
    salts = [d.salt for d in issued.disclosures]
    assert len(set(salts)) == 40
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", s) for s in salts)  # 16 bytes of base64url


def test_decoys_per_object_and_sorted(issuer: Signer, holder: Signer) -> None:
    claims = {"a": 1, "b": 2, "address": {"road": "x", "zip": "03171"}, "plain": {"k": "v"}}
    plan = plan_from_paths([("a",), ("b",), ("address", "road")])
    issued = issue_sd_jwt(
        signer=issuer, claims=claims, disclosable=plan, registered=_registered(holder), decoys=range(2, 5)
    )
    top = issued.payload["_sd"]
    assert 2 + 2 <= len(top) <= 2 + 4 and top == sorted(top)
    nested = issued.payload["address"]["_sd"]
    assert 1 + 2 <= len(nested) <= 1 + 4 and nested == sorted(nested)
    assert "_sd" not in issued.payload["plain"]  # nothing to hide there, so no decoys either
    # decoys match no disclosure, and verification ignores them
    assert len(set(top) - {d.digest for d in issued.disclosures}) >= 2
    verified = verify_sd_jwt(
        issued.compact, issuer_key=issuer.verification_key(), require_key_binding=False,
        expected_nonce=None, expected_aud=None, now=NOW,
    )
    assert verified.claims["address"] == {"road": "x", "zip": "03171"} and verified.claims["a"] == 1


def test_array_elements_and_recursive_disclosures(issuer: Signer, holder: Signer) -> None:
    claims = {"members": [{"name": "김민준", "rrn": "800301-1******"}, {"name": "이서연", "rrn": "820715-2******"}]}
    plan = plan_from_paths([("members",), ("members", None), ("members", None, "name")])
    issued = issue_sd_jwt(signer=issuer, claims=claims, disclosable=plan, registered=_registered(holder))
    assert "members" not in issued.payload
    by_digest = {d.digest: d for d in issued.disclosures}
    (members_digest,) = issued.payload["_sd"]
    members = by_digest[members_digest]
    assert members.name == "members"
    # the disclosed array holds {"...": digest} elements, each an element disclosure
    elements = [by_digest[e["..."]] for e in members.value]
    assert all(e.is_array_element for e in elements)
    # whose object value hides "name" again, while "rrn" stays plain in it
    assert all(set(e.value) == {"_sd", "rrn"} for e in elements)
    assert len(issued.disclosures) == 1 + 2 + 2


def test_rng_makes_issuance_reproducible(issuer: Signer, holder: Signer) -> None:
    claims = {"a": "x", "b": {"c": [1, 2]}}
    plan = plan_from_paths([("a",), ("b",), ("b", "c", None)])
    first = issue_sd_jwt(signer=issuer, claims=claims, disclosable=plan, registered=_registered(holder), decoys=range(0, 4), rng=random.Random(7))
    second = issue_sd_jwt(signer=issuer, claims=claims, disclosable=plan, registered=_registered(holder), decoys=range(0, 4), rng=random.Random(7))
    assert first.payload == second.payload
    assert [d.encoded for d in first.disclosures] == [d.encoded for d in second.disclosures]


def test_claims_are_not_mutated(issuer: Signer, holder: Signer) -> None:
    claims = {"address": {"road": "x"}, "members": [{"name": "a"}]}
    snapshot = repr(claims)
    issue_sd_jwt(
        signer=issuer, claims=claims, registered=_registered(holder),
        disclosable=plan_from_paths([("address", "road"), ("members", None), ("members", None, "name")]),
    )
    assert repr(claims) == snapshot


@pytest.mark.parametrize(
    "claims",
    [{"_sd": ["x"]}, {"a": {"...": "x"}}, {"a": [{"_sd_alg": "x"}]}, {"iss": "clash with registered"}],
)
def test_reserved_and_clashing_claim_names_are_refused(issuer: Signer, holder: Signer, claims: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        issue_sd_jwt(signer=issuer, claims=claims, disclosable=SdPlan(), registered=_registered(holder))


def test_plan_from_paths_refuses_positions() -> None:
    with pytest.raises(ValueError):
        plan_from_paths([("members", 0)])
    with pytest.raises(ValueError):
        plan_from_paths([(None,)])


# --- plans from certificate type definitions ---------------------------------------------


@dataclass
class StandInClaim:
    """The attributes plan_from_type reads from schemas.registry.ClaimDefinition."""

    name: str
    type: str = "string"
    disclosable: bool = True
    properties: list["StandInClaim"] | None = None
    items: "StandInClaim | None" = None


@dataclass
class StandInType:
    claims: list[StandInClaim] = field(default_factory=list)


def test_plan_from_type_with_stand_in() -> None:
    type_def = StandInType(
        claims=[
            StandInClaim("issuing_office", disclosable=False),
            StandInClaim("name"),
            StandInClaim(
                "members",
                type="array",
                disclosable=False,
                items=StandInClaim(
                    "member",
                    type="object",
                    properties=[StandInClaim("name"), StandInClaim("relationship", disclosable=False)],
                ),
            ),
        ]
    )
    plan = plan_from_type(type_def)
    assert set(plan.properties) == {"name", "members"}  # plain claims need no plan at all
    assert plan.properties["name"] == SdPlan(disclosable=True)
    members = plan.properties["members"]
    assert not members.disclosable and members.items is not None and members.items.disclosable
    assert set(members.items.properties) == {"name"}


def _type_path(path: ClaimPath) -> str:
    """("members", 0, "name") in the registry's notation: "members[].name"."""
    out = ""
    for step in path:
        out += "[]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def test_plan_from_every_registered_type(holder: Signer, issuer: Signer) -> None:
    registry_module = pytest.importorskip("schemas.registry")
    registry = registry_module.load_registry()
    assert len(registry) > 0
    for type_def in registry:
        claims = type_def.example_claims()
        issued = issue_sd_jwt(
            signer=issuer, claims=claims, disclosable=plan_from_type(type_def), registered=_registered(holder)
        )
        everything = verify_sd_jwt(
            issued.compact, issuer_key=issuer.verification_key(), require_key_binding=False,
            expected_nonce=None, expected_aud=None, now=NOW,
        )
        assert {k: v for k, v in everything.claims.items() if k in claims} == claims, type_def.id
        assert {_type_path(p) for p in everything.disclosed_paths} <= set(type_def.disclosable_paths()), type_def.id
        nothing = verify_sd_jwt(
            select_disclosures(issued.compact, []), issuer_key=issuer.verification_key(), require_key_binding=False,
            expected_nonce=None, expected_aud=None, now=NOW,
        )
        top_level_disclosable = {c.name for c in type_def.claims if c.disclosable}
        assert not top_level_disclosable & nothing.claims.keys(), type_def.id
        assert not nothing.disclosed_paths


def test_disclosures_are_what_the_reference_would_parse(issuer: Signer, holder: Signer) -> None:
    issued = issue_sd_jwt(
        signer=issuer, claims={"이름": "홍길동"}, disclosable=plan_from_paths([("이름",)]), registered=_registered(holder)
    )
    (disclosure,) = issued.disclosures
    assert Disclosure.parse(disclosure.encoded) == disclosure
