"""The SD-JWT wire format: disclosures, the ``~`` serialization, holder-side selection."""

from __future__ import annotations

import json
import time

import pytest

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
from keys.b64 import b64url_decode, b64url_encode
from keys.errors import JWSMalformed
from keys.jws import Signer, generate_private_key, parse_compact
from keys.sd_jwt import (
    Disclosure,
    attach_kb_jwt,
    digest_of,
    kb_jwt_signing_input,
    new_salt,
    parse_disclosures,
    sd_hash,
    select_disclosures,
    split_sd_jwt,
)
from keys.sd_jwt_errors import DisclosureMalformed, SdJwtMalformed

# RFC 9901 §4.2.1 / §4.2.3
RFC_DISCLOSURE = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
RFC_DIGEST = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
# RFC 9901 §4.2.2 array element; its digest is the first nationalities entry of the §5.1 example
RFC_ARRAY_DISCLOSURE = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0"
RFC_ARRAY_DIGEST = "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo"


def _encode(raw: str | bytes) -> str:
    return b64url_encode(raw.encode() if isinstance(raw, str) else raw)


def test_rfc9901_disclosure_digest() -> None:
    disclosure = Disclosure.parse(RFC_DISCLOSURE)
    assert (disclosure.salt, disclosure.name, disclosure.value) == ("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius")
    assert disclosure.digest == RFC_DIGEST == digest_of(RFC_DISCLOSURE)


def test_rfc9901_array_element_disclosure() -> None:
    disclosure = Disclosure.parse(RFC_ARRAY_DISCLOSURE)
    assert disclosure.is_array_element and disclosure.value == "US"
    assert disclosure.digest == RFC_ARRAY_DIGEST


def test_digest_is_over_the_text_as_received() -> None:
    # the same claim spelt without spaces is another disclosure with another digest
    respelt = _encode('["_26bc4LT-ac6q2KI6cBW5es","family_name","Möbius"]')
    disclosure = Disclosure.parse(respelt)
    assert disclosure.value == "Möbius"
    assert disclosure.digest != RFC_DIGEST
    assert disclosure.encoded == respelt


def test_create_round_trips_through_parse() -> None:
    made = Disclosure.create("c2FsdA", "주소", {"시도": "서울특별시", "n": [1, 2.5, None, True]})
    assert Disclosure.parse(made.encoded) == made
    # compact JSON, UTF-8 as is: the shortest form, and what the digest is fixed to
    assert b64url_decode(made.encoded).decode() == '["c2FsdA","주소",{"시도":"서울특별시","n":[1,2.5,null,true]}]'


def test_salts_and_digests_are_strict_base64url() -> None:
    for size in range(0, 40):
        data = bytes(range(200, 200 + size))
        assert new_salt(data) == b64url_encode(data)
        assert b64url_decode(new_salt(data)) == data


def test_create_escapes_names_and_refuses_nan() -> None:
    tricky = Disclosure.create('s"\\', 'a"b\n', "x")
    assert Disclosure.parse(tricky.encoded).name == 'a"b\n'
    with pytest.raises(ValueError):
        Disclosure.create("s", "n", float("nan"))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"salt": "x"}', id="object-not-array"),
        pytest.param('["only-salt"]', id="one-element"),
        pytest.param('["s", "n", "v", "extra"]', id="four-elements"),
        pytest.param("[]", id="empty-array"),
        pytest.param('[1, "n", "v"]', id="salt-not-string"),
        pytest.param('["s", 1, "v"]', id="name-not-string"),
        pytest.param('["s", null, "v"]', id="name-null"),
        pytest.param('["s", "_sd", ["x"]]', id="reserved-_sd"),
        pytest.param('["s", "...", "x"]', id="reserved-dots"),
        pytest.param('["s", "n", NaN]', id="nan-is-not-json"),
        pytest.param('["s", "n", "v"', id="truncated-json"),
        pytest.param(b'["s", "n", "\xff"]', id="not-utf8"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_disclosures_are_refused(raw: str | bytes) -> None:
    with pytest.raises(DisclosureMalformed):
        Disclosure.parse(_encode(raw))


@pytest.mark.parametrize("text", ["a+b", "ab/c", "abc=", "a", "ab cd", "ab~"])
def test_disclosure_must_be_strict_base64url(text: str) -> None:
    with pytest.raises(DisclosureMalformed):
        Disclosure.parse(text)


def test_disclosure_errors_are_jws_malformed_for_callers_of_the_key_layer() -> None:
    with pytest.raises(JWSMalformed):
        Disclosure.parse("!!")


def test_create_refuses_reserved_names() -> None:
    with pytest.raises(DisclosureMalformed):
        Disclosure.create("salt", "_sd", 1)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a.b.c", id="no-tilde"),
        pytest.param("~d~", id="empty-jwt"),
        pytest.param("a.b.c~~", id="empty-disclosure"),
        pytest.param("a.b.c~d~~", id="empty-disclosure-before-end"),
        pytest.param("a.b.c~d~kb", id="kb-not-a-jws"),
        pytest.param("a.b.c~dé~", id="non-ascii"),
        pytest.param("", id="empty"),
    ],
)
def test_split_refuses_broken_serializations(text: str) -> None:
    with pytest.raises(SdJwtMalformed):
        split_sd_jwt(text)


def test_split_keeps_components() -> None:
    parts = split_sd_jwt("a.b.c~d1~d2~x.y.z")
    assert parts.issuer_jwt == "a.b.c" and parts.disclosures == ("d1", "d2") and parts.kb_jwt == "x.y.z"
    assert parts.without_kb == "a.b.c~d1~d2~"
    assert split_sd_jwt("a.b.c~").kb_jwt is None


def test_the_same_disclosure_twice_is_refused() -> None:
    with pytest.raises(DisclosureMalformed):
        parse_disclosures([RFC_DISCLOSURE, RFC_DISCLOSURE])


def test_sd_hash_covers_up_to_the_last_tilde() -> None:
    assert sd_hash("a.b.c~d~") == digest_of("a.b.c~d~")
    with pytest.raises(SdJwtMalformed):
        sd_hash("a.b.c~d")


# --- holder side ------------------------------------------------------------------------

HOUSEHOLD = {
    "head": "김민준",
    "address": {"sido": "서울특별시", "road": "세종대로 209"},
    "members": [
        {"name": "김민준", "relationship": "본인", "birth_date": "1980-03-01"},
        {"name": "이서연", "relationship": "배우자", "birth_date": "1982-07-15"},
        {"name": "김하준", "relationship": "자녀", "birth_date": "2012-11-30"},
    ],
}
HOUSEHOLD_PLAN = plan_from_paths(
    [
        ("head",),
        ("address",),
        ("address", "road"),
        ("members", None),
        ("members", None, "name"),
        ("members", None, "birth_date"),
    ]
)


@pytest.fixture(scope="module")
def holder() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"))


@pytest.fixture(scope="module")
def issued(holder: Signer) -> str:
    issuer = Signer.from_private_key(generate_private_key("ES256"))
    return issue_sd_jwt(
        signer=issuer,
        claims=HOUSEHOLD,
        disclosable=HOUSEHOLD_PLAN,
        registered={"iss": "https://mois.example", "iat": 1, "cnf": {"jwk": holder.public_jwk}},
        decoys=range(1, 3),
    ).compact


def _revealed(presentation: str) -> set[tuple[str | None, str]]:
    return {
        (d.name, json.dumps(d.value, ensure_ascii=False))
        for d in parse_disclosures(split_sd_jwt(presentation).disclosures).values()
    }


def test_select_keeps_parents_of_nested_claims(issued: str) -> None:
    presentation = select_disclosures(issued, [("members", 1, "name")])
    revealed = _revealed(presentation)
    # the second member (an array-element disclosure, the parent) and the name inside it
    assert len(revealed) == 2
    assert ("name", '"이서연"') in revealed
    (element,) = [value for name, value in revealed if name is None]
    assert "배우자" in element  # the parent is the second member's element
    assert presentation.endswith("~") and presentation.startswith(split_sd_jwt(issued).issuer_jwt)


def test_select_whole_subtree(issued: str) -> None:
    presentation = select_disclosures(issued, [("address",)])
    assert {name for name, _ in _revealed(presentation)} == {"address", "road"}


def test_select_every_element_with_none(issued: str) -> None:
    presentation = select_disclosures(issued, [("members", None, "name")])
    revealed = _revealed(presentation)
    assert len([n for n, _ in revealed if n is None]) == 3
    assert {v for n, v in revealed if n == "name"} == {'"김민준"', '"이서연"', '"김하준"'}
    assert not any(n == "birth_date" for n, _ in revealed)


def test_select_nothing_and_unknown_paths(issued: str) -> None:
    assert select_disclosures(issued, []) == split_sd_jwt(issued).issuer_jwt + "~"
    assert select_disclosures(issued, [("nope",), ("members", 9)]) == split_sd_jwt(issued).issuer_jwt + "~"


@pytest.mark.parametrize("path", [(), ("a", True), ("a", 1.5)])
def test_select_refuses_invalid_paths(issued: str, path: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        select_disclosures(issued, [path])


def test_kb_signing_input_and_attach(issued: str, holder: Signer) -> None:
    presentation = select_disclosures(issued, [("head",)])
    header, payload = kb_jwt_signing_input(
        presentation=presentation, nonce="n-1", aud="https://bank.example", iat=1700000000, header_extras={"kid": "dev-1", "typ": "x"}
    )
    assert header == {"kid": "dev-1", "alg": "ES256", "typ": "kb+jwt"}
    assert payload == {"iat": 1700000000, "aud": "https://bank.example", "nonce": "n-1", "sd_hash": sd_hash(presentation)}
    kb_jwt = holder.sign_compact(header, payload, include_kid=False)
    combined = attach_kb_jwt(presentation, kb_jwt)
    assert split_sd_jwt(combined).kb_jwt == kb_jwt
    assert parse_compact(kb_jwt).unverified_header["typ"] == "kb+jwt"
    with pytest.raises(SdJwtMalformed):
        kb_jwt_signing_input(presentation=combined, nonce="n", aud="a", iat=int(time.time()))
    with pytest.raises(SdJwtMalformed):
        attach_kb_jwt(presentation[:-1], kb_jwt)
    with pytest.raises(SdJwtMalformed):
        attach_kb_jwt(presentation, kb_jwt + "~x")


def test_kb_signing_input_needs_cnf() -> None:
    issuer = Signer.from_private_key(generate_private_key("ES256"))
    unbound = issue_sd_jwt(signer=issuer, claims={"a": 1}, disclosable=plan_from_paths([("a",)]), registered={"iss": "x"})
    with pytest.raises(SdJwtMalformed):
        kb_jwt_signing_input(presentation=unbound.compact, nonce="n", aud="a", iat=1)
