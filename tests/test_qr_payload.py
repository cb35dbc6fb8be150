"""Round trips and rejections of the compact QR presentation (schemas.qr_payload)."""

from __future__ import annotations

import os

import cbor2
import pytest

from keys.jws import VerificationKey
from schemas.errors import (
    CredentialExpired,
    HolderBindingFailed,
    IssuerUntrusted,
    NonceMismatch,
    NotYetValid,
    SignatureInvalid,
    TypeMismatch,
    WalletError,
)
from schemas.qr_errors import QrPrefixUnknown, QrVersionUnsupported
from schemas.qr_payload import build_presentation, finish_presentation
from verifiers.qr.presentation_signatures import verify_qr_presentation
from schemas.qr_payload.envelope import inflate
from tests.qr_payloads import ALGS, ISS, MOBILE_ID_PROFILES, NOW, customs_claims, fixed_signer, make_qr, verify

ISSUER = {alg: fixed_signer(alg, "issuer") for alg in ALGS}
DEVICE = {alg: fixed_signer(alg, "device") for alg in ALGS}


@pytest.mark.parametrize("issuer_alg", ALGS)
@pytest.mark.parametrize("device_alg", ALGS)
def test_customs_round_trip(issuer_alg: str, device_alg: str) -> None:
    issuer, device = ISSUER[issuer_alg], DEVICE[device_alg]
    text = make_qr(
        type_id="customs_declaration", family="KD", claims=customs_claims(), issuer=issuer, device=device,
        credential_id=b"decl-0001-v1",
    )
    assert text.startswith("KD1:")
    verified = verify(text, issuer, now=NOW + 5)
    assert verified.type_id == "customs_declaration"
    assert verified.claims == customs_claims()
    assert verified.holder_jwk == device.public_jwk
    assert verified.issuer_kid == issuer.kid
    assert verified.credential_id == b"decl-0001-v1"
    assert verified.expires_at - verified.presented_at == 30


@pytest.mark.parametrize("issuer_alg", ALGS)
@pytest.mark.parametrize("device_alg", ALGS)
@pytest.mark.parametrize("profile", sorted(MOBILE_ID_PROFILES))
def test_mobile_id_round_trip(issuer_alg: str, device_alg: str, profile: str) -> None:
    claims = MOBILE_ID_PROFILES[profile]
    text = make_qr(
        type_id="mobile_driver_licence", family="KM", claims=claims, issuer=ISSUER[issuer_alg],
        device=DEVICE[device_alg], challenge=b"desk-42",
    )
    verified = verify(text, ISSUER[issuer_alg], expected_challenge=b"desk-42")
    assert (verified.type_id, verified.claims, verified.challenge) == ("mobile_driver_licence", claims, b"desk-42")


def _mobile(**kwargs):  # type: ignore[no-untyped-def]
    defaults = dict(type_id="mobile_driver_licence", family="KM", claims=MOBILE_ID_PROFILES["adult_check"],
                    issuer=ISSUER["ES256"], device=DEVICE["ES256"])
    return make_qr(**{**defaults, **kwargs})


def test_31_second_old_qr_with_30_second_ttl_is_expired() -> None:
    text = _mobile(ttl_s=30)
    verify(text, ISSUER["ES256"], now=NOW + 29)
    with pytest.raises(CredentialExpired) as err:
        verify(text, ISSUER["ES256"], now=NOW + 31)
    assert err.value.code == "expired"


def test_presentation_from_the_future_beyond_leeway() -> None:
    text = _mobile()
    verify(text, ISSUER["ES256"], now=NOW - 5, leeway_s=5)
    with pytest.raises(NotYetValid) as err:
        verify(text, ISSUER["ES256"], now=NOW - 6, leeway_s=5)
    assert err.value.code == "not_yet_valid"


def test_device_signature_by_another_key_is_refused() -> None:
    issuer_part_device, thief = DEVICE["ES256"], fixed_signer("ES256", "thief")
    from schemas.qr_payload import build_presentation, encode_issuer_part, finish_presentation

    part = encode_issuer_part(signer=ISSUER["ES256"], type_id="mobile_driver_licence",
                              claims={"age_over_19": True}, holder_jwk=issuer_part_device.public_jwk,
                              iss="https://ecert.example", iat=NOW - 10, exp=NOW + 3600)
    unsigned = build_presentation(issuer_part=part, family="KM", device_alg="ES256", now=NOW, ttl_s=30,
                                  jti=b"12345678")
    forged = finish_presentation(unsigned, thief.sign(unsigned.signing_input))
    with pytest.raises(HolderBindingFailed) as err:
        verify(forged, ISSUER["ES256"])
    assert err.value.code == "holder_binding_failed"


def test_issuer_key_unknown() -> None:
    # issuer parts carry no kid: every key of the iss is tried, and none of them signed this
    with pytest.raises(SignatureInvalid) as err:
        verify(_mobile(), fixed_signer("ES256", "another issuer"))
    assert err.value.code == "signature_invalid"
    # an iss with no trusted keys at all is an untrusted issuer
    with pytest.raises(IssuerUntrusted) as err2:
        verify_qr_presentation(_mobile(), issuer_key_resolver=lambda iss: [], device_key_from_jwk=VerificationKey.from_jwk,
                               now=NOW)
    assert err2.value.code == "issuer_untrusted"


def test_issuer_keys_are_tried_in_turn_during_a_rotation() -> None:
    old, new = fixed_signer("ES256", "old issuer key"), ISSUER["EdDSA"]
    assert verify(_mobile(issuer=old), new, old).issuer_kid == old.kid
    assert verify(_mobile(issuer=new), new, old).issuer_kid == new.kid


def test_issuer_key_with_other_alg_is_refused_not_obeyed() -> None:
    # same kid, but the trusted key is EdDSA while the QR says ES256: the key decides
    es = ISSUER["ES256"]
    impostor = VerificationKey(kid=es.kid, alg="EdDSA", public_key=ISSUER["EdDSA"].verification_key().public_key)
    with pytest.raises(SignatureInvalid):
        from verifiers.qr.presentation_signatures import IssuerKeyIndex, verify_qr_presentation

        verify_qr_presentation(_mobile(), issuer_key_resolver=IssuerKeyIndex([("https://ecert.example", impostor)]),
                               device_key_from_jwk=VerificationKey.from_jwk, now=NOW)


def test_challenge_mismatch() -> None:
    with pytest.raises(NonceMismatch):
        verify(_mobile(challenge=b"desk-1"), ISSUER["ES256"], expected_challenge=b"desk-2")


def test_wrong_prefix_and_version() -> None:
    text = _mobile()
    with pytest.raises(QrPrefixUnknown) as err:
        verify("HC1:" + text[4:], ISSUER["ES256"])
    assert err.value.code == "qr_prefix_unknown"
    with pytest.raises(QrVersionUnsupported) as err2:
        verify("KM2:" + text[4:], ISSUER["ES256"])
    assert err2.value.code == "qr_version_unsupported"


def test_relabelled_family_is_refused() -> None:
    # a mobile-ID QR shown as a customs one: the type does not belong to KD
    with pytest.raises(TypeMismatch):
        verify("KD1:" + _mobile()[4:], ISSUER["ES256"])


def test_tampered_character_never_verifies() -> None:
    text = _mobile()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for position in range(4, len(text), 7):
        replacement = alphabet[(alphabet.index(text[position]) + 1) % len(alphabet)]
        tampered = text[:position] + replacement + text[position + 1 :]
        with pytest.raises(WalletError):
            verify(tampered, ISSUER["ES256"])


def test_trailing_newline_from_a_keyboard_scanner_is_accepted() -> None:
    verify(_mobile() + "\r\n", ISSUER["ES256"])


def test_only_the_issuer_payload_is_raw_deflate_with_the_dictionary() -> None:
    import base45

    device = cbor2.loads(base45.b45decode(_mobile()[4:]))
    assert device[0] == bytes.fromhex("a10126")  # device protected header {1: -7}, not compressed
    issuer = cbor2.loads(cbor2.loads(device[2])[-65537])
    credential = cbor2.loads(inflate(issuer[2], max_inflated_bytes=8192))
    assert credential[1] == ISS and 8 in credential  # the signed, compressed CWT claims


def test_text_length_is_known_before_signing() -> None:
    # nothing after the issuer part is compressed: every presentation of one issuer part has
    # the length computed from sizes alone, whatever the signatures and the jti turn out to be
    from schemas.qr_payload import build_issuer_part, presentation_text_length

    for alg in ALGS:
        unsigned = build_issuer_part(alg=alg, type_id="customs_declaration", claims=customs_claims(),
                                     holder_jwk=DEVICE[alg].public_jwk, iss=ISS, exp=NOW + 86400)
        expected = presentation_text_length(issuer_part_length=unsigned.length, family="KD", device_alg=alg,
                                            now=NOW, ttl_s=30, jti_bytes=4)
        part = unsigned.sign(ISSUER[alg])
        for draw in range(20):
            built = build_presentation(issuer_part=part, family="KD", device_alg=alg, now=NOW + draw, ttl_s=30,
                                       jti=os.urandom(4))
            assert len(finish_presentation(built, DEVICE[alg].sign(built.signing_input))) == expected
