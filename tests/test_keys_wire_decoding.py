"""The low-level decoders every verification runs through: base64url, whole JSON documents,
public JWKs. Each is pinned against the straightforward implementation it replaced."""

import base64
import json
import math
import os

import pytest

from keys.b64 import b64url_decode, b64url_encode
from keys.errors import JWKInvalid, JWSAlgorithmRefused, JWSMalformed, JWSSignatureInvalid
from keys.json_document import document_reader
from keys.jwk import public_jwk, public_key_from_jwk
from keys.jws import Signer, generate_private_key, parse_compact, verify_compact, verify_signature

#: the order of the P-256 base field: a coordinate at or above it is not a field element
P256_FIELD = 2**256 - 2**224 + 2**192 + 2**96 - 1


@pytest.mark.parametrize("length", range(0, 70))
def test_b64url_round_trips_like_the_base64_module(length: int) -> None:
    data = os.urandom(length)
    encoded = b64url_encode(data)
    assert encoded == base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    assert b64url_decode(encoded) == data


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("QUJD\n", id="newline"),
        pytest.param("QU JD", id="space"),
        pytest.param("QQ==", id="padded"),
        pytest.param("QQ=", id="half-padded"),
        pytest.param("a+bc", id="plus"),
        pytest.param("a/bc", id="slash"),
        pytest.param("QUJDR", id="length-mod-4-is-1"),
        pytest.param("QUJ가", id="non-ascii"),
        pytest.param("QU.D", id="dot"),
    ],
)
def test_b64url_decode_refuses_anything_but_unpadded_base64url(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)


@pytest.mark.parametrize("value", [b"QUJD", None, 42])
def test_b64url_decode_refuses_non_strings(value: object) -> None:
    with pytest.raises(ValueError):
        b64url_decode(value)  # type: ignore[arg-type]


def _reject_constant(name: str) -> float:
    raise ValueError(name)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1}',
        ' {"a":1}',
        '{"a":1} ',
        '\n{"a": [1, 2.5, null, true]}\t',
        "[1,2]",
        '"text"',
        "12",
        '{"a":1}{"b":2}',
        '{"a":1} x',
        '{"a":',
        "",
        "   ",
        "nope",
        "NaN",
        '{"a":Infinity}',
    ],
)
@pytest.mark.parametrize("decoder", [json.JSONDecoder(), json.JSONDecoder(parse_constant=_reject_constant)], ids=["default", "no-constants"])
def test_document_reader_accepts_and_refuses_exactly_as_decode(text: str, decoder: json.JSONDecoder) -> None:
    read = document_reader(decoder)
    try:
        expected = decoder.decode(text)
    except ValueError as exc:
        with pytest.raises(type(exc)):
            read(text)
        return
    got = read(text)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected


def test_a_jws_with_whitespace_around_its_json_still_verifies() -> None:
    signer = Signer.from_private_key(generate_private_key())
    header = b64url_encode(b' {"alg": "ES256", "typ": "x"}\n')
    payload = b64url_encode(b'\t{"a": 1} ')
    signing_input = f"{header}.{payload}".encode("ascii")
    token = f"{header}.{payload}.{b64url_encode(signer.sign(signing_input))}"
    assert verify_compact(token, signer.verification_key()).payload == {"a": 1}


def test_a_jws_with_trailing_data_after_its_json_is_malformed() -> None:
    header = b64url_encode(b'{"alg":"ES256"}{"alg":"none"}')
    with pytest.raises(JWSMalformed):
        parse_compact(f"{header}.{b64url_encode(b'{}')}.")


def test_public_jwk_round_trips() -> None:
    for alg in ("ES256", "EdDSA"):
        jwk = public_jwk(generate_private_key(alg))
        assert public_jwk(public_key_from_jwk(jwk)) == jwk


def _ec_jwk(x: int, y: int) -> dict[str, str]:
    return {"kty": "EC", "crv": "P-256", "x": b64url_encode(x.to_bytes(32, "big")), "y": b64url_encode(y.to_bytes(32, "big"))}


def test_points_off_the_curve_are_refused() -> None:
    numbers = generate_private_key("ES256").public_key().public_numbers()  # type: ignore[union-attr]
    with pytest.raises(JWKInvalid):
        public_key_from_jwk(_ec_jwk(numbers.x, (numbers.y + 1) % P256_FIELD))
    with pytest.raises(JWKInvalid):
        public_key_from_jwk(_ec_jwk(0, 0))  # what the point at infinity would need to be written as
    with pytest.raises(JWKInvalid):
        public_key_from_jwk(_ec_jwk(P256_FIELD, numbers.y))  # not a field element


def test_short_coordinates_are_refused() -> None:
    jwk = public_jwk(generate_private_key("ES256"))
    with pytest.raises(JWKInvalid):
        public_key_from_jwk({**jwk, "x": b64url_encode(b"\x01" * 31)})


def test_verify_signature_checks_the_header_itself() -> None:
    """The payload-only entry point refuses what ``verify_compact`` refuses, whoever calls it."""
    signer = Signer.from_private_key(generate_private_key())
    smuggling = parse_compact(signer.sign_compact({"jwk": signer.public_jwk}, {"a": 1}))
    with pytest.raises(JWSAlgorithmRefused):
        verify_signature(smuggling, signer.verification_key())
    other = Signer.from_private_key(generate_private_key("EdDSA"))
    with pytest.raises(JWSAlgorithmRefused):
        verify_signature(parse_compact(other.sign_compact({}, {"a": 1})), signer.verification_key())
    tampered = parse_compact(signer.sign_compact({}, {"a": 1}))
    forged = parse_compact(".".join((*tampered.signing_input.decode().split(".")[:1], b64url_encode(b'{"a":2}'), b64url_encode(tampered.signature))))
    with pytest.raises(JWSSignatureInvalid):
        verify_signature(forged, signer.verification_key())
    assert verify_signature(tampered, signer.verification_key()) == {"a": 1}
