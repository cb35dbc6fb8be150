"""The published examples of RFC 9901, from ``tests/vectors/sd_jwt/rfc9901.json``.

The reference implementation ships no copy of them, so the vector file holds the §5.1
issuer-signed JWT and disclosures (Appendix A.5 keys) and the key-bound §5.2 presentation of
draft -12, which has the same payload and disclosures signed at another time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keys.jws import VerificationKey
from keys.sd_jwt import Disclosure, select_disclosures, split_sd_jwt
from schemas.errors import DisclosureInvalid, HolderBindingFailed, NonceMismatch, SignatureInvalid, TypeMismatch
from verifiers.sd_jwt_verifier import VerifiedSdJwt, verify_sd_jwt

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "vectors" / "sd_jwt" / "rfc9901.json").read_text())
SECTION_5 = VECTORS["section_5_1"]
DISCLOSURES: dict[str, str] = SECTION_5["disclosures"]
KB = VECTORS["draft12_presentation_with_kb"]
ISSUER_KEY = VerificationKey.from_jwk(VECTORS["issuer_public_jwk"])


def _sd_jwt(*labels: str) -> str:
    return "~".join([SECTION_5["issuer_jwt"], *(DISCLOSURES[label] for label in labels), ""])


def _verify(presentation: str, **overrides: Any) -> VerifiedSdJwt:
    options: dict[str, Any] = {
        "issuer_key": ISSUER_KEY,
        "expected_typ": VECTORS["typ"],
        "require_key_binding": False,
        "expected_nonce": None,
        "expected_aud": None,
        "now": SECTION_5["iat"],
    }
    return verify_sd_jwt(presentation, **{**options, **overrides})


def test_disclosure_digest_vector() -> None:
    vector = VECTORS["disclosure_digest"]
    disclosure = Disclosure.parse(vector["disclosure"])
    assert (disclosure.salt, disclosure.name, disclosure.value) == (vector["salt"], vector["name"], vector["value"])
    assert disclosure.digest == vector["digest"]


def test_array_element_vector_is_referenced_by_the_example() -> None:
    vector = VECTORS["array_element_disclosure"]
    disclosure = Disclosure.parse(vector["disclosure"])
    assert disclosure.is_array_element and disclosure.salt == vector["salt"] and disclosure.value == vector["value"]
    verified = _verify(_sd_jwt())
    assert {"...": disclosure.digest} in verified.issuer_payload["nationalities"]


def test_section_5_all_disclosures() -> None:
    verified = _verify(_sd_jwt(*DISCLOSURES))
    claims = verified.claims
    assert claims["given_name"] == "John" and claims["family_name"] == "Doe"
    assert claims["phone_number_verified"] is True and claims["updated_at"] == 1570000000
    assert claims["nationalities"] == ["US", "DE"]
    assert claims["address"]["locality"] == "Anytown"
    assert "_sd" not in claims and "_sd_alg" not in claims


def test_section_5_2_presentation() -> None:
    expected = VECTORS["section_5_2_presentation"]
    verified = _verify(_sd_jwt(*expected["disclose"]))
    assert verified.claims == expected["expected_claims"]


def test_our_holder_selects_the_section_5_2_disclosures() -> None:
    presentation = select_disclosures(
        _sd_jwt(*DISCLOSURES), [("family_name",), ("address",), ("given_name",), ("nationalities", 0)]
    )
    wanted = {DISCLOSURES[label] for label in VECTORS["section_5_2_presentation"]["disclose"]}
    assert set(split_sd_jwt(presentation).disclosures) == wanted


def test_section_5_no_disclosures() -> None:
    claims = _verify(_sd_jwt()).claims
    assert claims["nationalities"] == [] and "given_name" not in claims and claims["sub"] == "user_42"


def test_key_bound_presentation() -> None:
    verified = _verify(
        KB["presentation"], require_key_binding=True, expected_nonce=KB["nonce"], expected_aud=KB["aud"], now=KB["kb_iat"]
    )
    assert verified.claims == VECTORS["section_5_2_presentation"]["expected_claims"]
    assert verified.holder_jwk == VECTORS["holder_public_jwk"]
    assert verified.kb_payload is not None and verified.kb_payload["iat"] == KB["kb_iat"]


# --- negative cases on the published examples ----------------------------------------------


def test_example_typ_is_not_dc_sd_jwt() -> None:
    with pytest.raises(TypeMismatch):
        _verify(_sd_jwt(), expected_typ="dc+sd-jwt")


def test_example_with_flipped_signature() -> None:
    jwt = SECTION_5["issuer_jwt"].replace("MczwjBFGtzf", "XczwjBFGtzf")
    with pytest.raises(SignatureInvalid):
        _verify(jwt + "~")


def test_example_with_unreferenced_disclosure() -> None:
    with pytest.raises(DisclosureInvalid):
        _verify(_sd_jwt("given_name") + "WyJkdW1teXNhbHQiLCAiZm9vIiwgImJhciJd~")


def test_example_with_duplicate_disclosure() -> None:
    with pytest.raises(DisclosureInvalid):
        _verify(_sd_jwt("given_name", "given_name"))


def test_key_bound_example_with_wrong_nonce() -> None:
    with pytest.raises(NonceMismatch):
        _verify(KB["presentation"], require_key_binding=True, expected_nonce="0000", expected_aud=KB["aud"], now=KB["kb_iat"])


def test_key_bound_example_replayed_later() -> None:
    with pytest.raises(HolderBindingFailed):
        _verify(KB["presentation"], require_key_binding=True, expected_nonce=KB["nonce"], expected_aud=KB["aud"], now=KB["kb_iat"] + 3600)


def test_key_bound_example_with_a_disclosure_dropped() -> None:
    parts = split_sd_jwt(KB["presentation"])
    stripped = "~".join([parts.issuer_jwt, *parts.disclosures[1:], parts.kb_jwt or ""])
    with pytest.raises(HolderBindingFailed):
        _verify(stripped, require_key_binding=True, expected_nonce=KB["nonce"], expected_aud=KB["aud"], now=KB["kb_iat"])
