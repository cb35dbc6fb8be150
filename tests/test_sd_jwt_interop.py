"""Interoperability with the IETF reference implementation (``sd-jwt``, module ``sd_jwt``).

The reference verifier takes jwcrypto keys from a callback and checks the KB-JWT as ES256;
its issuer writes ``typ: example+sd-jwt`` unless told otherwise, so that is what we expect
from it here.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from jwcrypto.jwk import JWK

sd_jwt = pytest.importorskip("sd_jwt")
from sd_jwt.common import SDObj  # noqa: E402
from sd_jwt.holder import SDJWTHolder  # noqa: E402
from sd_jwt.issuer import SDJWTIssuer  # noqa: E402
from sd_jwt.verifier import SDJWTVerifier  # noqa: E402

from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths  # noqa: E402
from keys.jws import Signer, VerificationKey, generate_private_key  # noqa: E402
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures  # noqa: E402
from schemas.errors import HolderBindingFailed, NonceMismatch  # noqa: E402
from verifiers.sd_jwt_verifier import verify_sd_jwt  # noqa: E402

NONCE = "ref-nonce-5d1e"
AUD = "https://verifier.example.org"

HOUSEHOLD = {
    "head_of_household_name": "김민준",
    "address": {"sido": "서울특별시", "road": "세종대로 209"},
    "members": [
        {"name": "김민준", "relationship": "본인"},
        {"name": "이서연", "relationship": "배우자"},
    ],
    "nationalities": ["KR", "US"],
    "issuing_office": "종로구청",
}
PLAN = plan_from_paths(
    [
        ("head_of_household_name",),
        ("address",),
        ("address", "road"),
        ("members", None),
        ("members", None, "name"),
        ("nationalities", None),
    ]
)


@pytest.fixture(scope="module", params=["ES256", "EdDSA"])
def issuer_key(request: pytest.FixtureRequest) -> Any:
    return generate_private_key(request.param)


@pytest.fixture(scope="module")
def holder_key() -> Any:
    # the reference verifier only checks KB-JWTs as ES256
    return generate_private_key("ES256")


def _ref_verify(presentation: str, issuer_key: Any) -> dict[str, Any]:
    public = JWK.from_pyca(issuer_key.public_key())
    verifier = SDJWTVerifier(presentation, lambda iss, header: public, expected_aud=AUD, expected_nonce=NONCE)
    return verifier.get_verified_payload()


def _ours_issue(issuer_key: Any, holder_key: Any) -> str:
    now = int(time.time())
    return issue_sd_jwt(
        signer=Signer.from_private_key(issuer_key),
        claims=HOUSEHOLD,
        disclosable=PLAN,
        registered={"iss": "https://mois.example", "iat": now, "exp": now + 3600, "cnf": {"jwk": Signer.from_private_key(holder_key).public_jwk}},
        decoys=range(1, 4),
    ).compact


def _ours_present(credential: str, holder_key: Any, paths: list[Any]) -> str:
    presentation = select_disclosures(credential, paths)
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=NONCE, aud=AUD, iat=int(time.time()))
    return attach_kb_jwt(presentation, Signer.from_private_key(holder_key).sign_compact(header, payload, include_kid=False))


def _ours_verify(presentation: str, key: VerificationKey, typ: str) -> dict[str, Any]:
    return verify_sd_jwt(
        presentation, issuer_key=key, expected_typ=typ, require_key_binding=True,
        expected_nonce=NONCE, expected_aud=AUD, now=int(time.time()),
    ).claims


@pytest.mark.parametrize(
    "paths",
    [
        pytest.param([("head_of_household_name",), ("address",), ("members",), ("nationalities",)], id="everything"),
        pytest.param([("members", 1, "name"), ("address", "sido"), ("nationalities", 0)], id="subset"),
        pytest.param([], id="nothing"),
    ],
)
def test_ours_to_reference(issuer_key: Any, holder_key: Any, paths: list[Any]) -> None:
    presentation = _ours_present(_ours_issue(issuer_key, holder_key), holder_key, paths)
    key = Signer.from_private_key(issuer_key).verification_key()
    ours = _ours_verify(presentation, key, "dc+sd-jwt")
    assert _ref_verify(presentation, issuer_key) == ours
    if paths and paths[0] == ("head_of_household_name",):
        assert {k: ours[k] for k in HOUSEHOLD} == HOUSEHOLD


def test_reference_holder_presents_our_credential(issuer_key: Any, holder_key: Any) -> None:
    holder = SDJWTHolder(_ours_issue(issuer_key, holder_key))
    holder.create_presentation(
        {"members": [{"name": True}, None], "address": True},
        nonce=NONCE, aud=AUD, holder_key=JWK.from_pyca(holder_key), sign_alg="ES256",
    )
    key = Signer.from_private_key(issuer_key).verification_key()
    ours = _ours_verify(holder.sd_jwt_presentation, key, "dc+sd-jwt")
    assert ours["members"] == [{"name": "김민준", "relationship": "본인"}]
    assert ours["address"] == {"sido": "서울특별시"}  # the road was not asked for
    assert ours == _ref_verify(holder.sd_jwt_presentation, issuer_key)


def _ref_issue(issuer_key: Any, holder_key: Any, typ: str | None = None) -> str:
    now = int(time.time())
    user_claims = {
        "iss": "https://issuer.example.org",
        "iat": now,
        "exp": now + 3600,
        SDObj("given_name"): "길동",
        SDObj("family_name"): "홍",
        SDObj("address"): {SDObj("road"): "세종대로 209", "sido": "서울특별시"},
        "members": [SDObj({SDObj("name"): "김민준", "relationship": "본인"}), {"name": "이서연"}],
        "nationalities": [SDObj("KR"), SDObj("US")],
    }
    issuer = SDJWTIssuer(
        user_claims,
        JWK.from_pyca(issuer_key),
        holder_key=JWK.from_pyca(holder_key),
        sign_alg=Signer.from_private_key(issuer_key).alg,
        add_decoy_claims=True,
        extra_header_parameters={"typ": typ} if typ else {},
    )
    return issuer.sd_jwt_issuance


@pytest.mark.parametrize(
    "disclose",
    [
        pytest.param(
            {"given_name": True, "family_name": True, "address": {"road": True}, "members": [{"name": True}], "nationalities": [True, True]},
            id="everything",
        ),
        pytest.param({"address": {}, "members": [{}], "nationalities": [False, True]}, id="subset"),
        pytest.param({}, id="nothing"),
    ],
)
def test_reference_to_ours(issuer_key: Any, holder_key: Any, disclose: dict[str, Any]) -> None:
    holder = SDJWTHolder(_ref_issue(issuer_key, holder_key))
    holder.create_presentation(disclose, nonce=NONCE, aud=AUD, holder_key=JWK.from_pyca(holder_key), sign_alg="ES256")
    presentation = holder.sd_jwt_presentation
    ours = _ours_verify(presentation, Signer.from_private_key(issuer_key).verification_key(), "example+sd-jwt")
    assert ours == _ref_verify(presentation, issuer_key)
    if "given_name" in disclose:
        assert ours["members"] == [{"name": "김민준", "relationship": "본인"}, {"name": "이서연"}]
        assert ours["address"] == {"road": "세종대로 209", "sido": "서울특별시"}
        assert ours["nationalities"] == ["KR", "US"]


def test_reference_with_dc_sd_jwt_typ_and_our_holder(issuer_key: Any, holder_key: Any) -> None:
    credential = _ref_issue(issuer_key, holder_key, typ="dc+sd-jwt")
    presentation = _ours_present(credential, holder_key, [("members", 0, "name"), ("nationalities", 1)])
    ours = _ours_verify(presentation, Signer.from_private_key(issuer_key).verification_key(), "dc+sd-jwt")
    assert ours["members"] == [{"name": "김민준", "relationship": "본인"}, {"name": "이서연"}]
    assert ours["nationalities"] == ["US"]
    assert "given_name" not in ours
    assert ours == _ref_verify(presentation, issuer_key)


def test_reference_kb_with_wrong_nonce_is_refused(issuer_key: Any, holder_key: Any) -> None:
    holder = SDJWTHolder(_ref_issue(issuer_key, holder_key))
    holder.create_presentation({"given_name": True}, nonce="other", aud=AUD, holder_key=JWK.from_pyca(holder_key), sign_alg="ES256")
    with pytest.raises(NonceMismatch):
        _ours_verify(holder.sd_jwt_presentation, Signer.from_private_key(issuer_key).verification_key(), "example+sd-jwt")


def test_reference_kb_by_another_key_is_refused(issuer_key: Any, holder_key: Any) -> None:
    holder = SDJWTHolder(_ref_issue(issuer_key, holder_key))
    thief = JWK.from_pyca(generate_private_key("ES256"))
    holder.create_presentation({"given_name": True}, nonce=NONCE, aud=AUD, holder_key=thief, sign_alg="ES256")
    with pytest.raises(HolderBindingFailed):
        _ours_verify(holder.sd_jwt_presentation, Signer.from_private_key(issuer_key).verification_key(), "example+sd-jwt")
