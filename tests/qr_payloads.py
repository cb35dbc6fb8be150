"""Shared builders for the QR tests (no tests here): fixed keys and the budget fixtures.

Keys are derived from fixed seeds so runs are reproducible without key files: P-256 from a
fixed scalar, Ed25519 from a fixed 32-byte seed.
"""

from __future__ import annotations

import hashlib
from typing import Any


from keys.jws import Signer, VerificationKey
from tests.fixed_keys import fixed_signer  # noqa: F401  (the QR tests import it from here too)
from schemas.qr_payload import build_presentation, encode_issuer_part, finish_presentation
from verifiers.qr.presentation_signatures import IssuerKeyIndex, verify_qr_presentation

NOW = 1_768_000_000  # 2026-01-09
ISS = "https://ecert.example"
ALGS = ("ES256", "EdDSA")


def customs_claims() -> dict[str, Any]:
    """The brief's budget case: every declaration field, 5 other goods, Korean item names."""
    return {
        "name": "HONG GILDONG",
        "birth_date": "1990-01-01",
        "passport_number": "M12345678",
        "nationality": "KR",
        "flight_number": "KE902",
        "arrival_date": "2026-01-09",
        "accompanying_family_count": 2,
        "countries_visited": ["FR", "IT", "CH"],
        "items": {
            "alcohol_bottles": 2,
            "alcohol_litres": 1.5,
            "alcohol_value_usd": 180.0,
            "cigarettes": 200,
            "perfume_ml": 50.0,
            "other_goods": [
                {"name": "핸드백", "quantity": 1, "value": 1200.0, "currency": "EUR"},
                {"name": "손목시계", "quantity": 1, "value": 850.0, "currency": "CHF"},
                {"name": "화장품 세트", "quantity": 2, "value": 180.0, "currency": "EUR"},
                {"name": "운동화", "quantity": 1, "value": 230.0, "currency": "USD"},
                {"name": "초콜릿", "quantity": 5, "value": 40.0, "currency": "EUR"},
            ],
        },
        "currency_over_10000_usd": False,
        "prohibited_goods": False,
        "quarantine_goods": True,
        "goods_for_sale": False,
    }


PORTRAIT_SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

#: what each mobile-ID verifier profile shows (issue 6)
MOBILE_ID_PROFILES: dict[str, dict[str, Any]] = {
    "adult_check": {"age_over_19": True, "portrait_sha256": PORTRAIT_SHA256},
    "licence_check": {
        "name": "홍길동",
        "licence_classes": ["1종 보통", "2종 소형"],
        "issue_date": "2019-09-01",
        "expiry_date": "2029-12-31",
    },
    "identity_check": {
        "name": "홍길동",
        "resident_registration_number": "900101-1234567",
        "address": "서울특별시 종로구 세종대로 209 정부서울청사 본관 1501호",
    },
}


def make_qr(
    *,
    type_id: str,
    family: str,
    claims: dict[str, Any],
    issuer: Signer,
    device: Signer,
    now: int = NOW,
    ttl_s: int = 30,
    jti: bytes = hashlib.sha256(b"jti").digest()[:16],
    challenge: bytes | None = None,
    credential_id: bytes | None = None,
) -> str:
    issuer_part = encode_issuer_part(
        signer=issuer,
        type_id=type_id,
        claims=claims,
        holder_jwk=device.public_jwk,
        iss=ISS,
        exp=now + 30 * 86400,
        credential_id=credential_id,
    )
    unsigned = build_presentation(
        issuer_part=issuer_part,
        family=family,
        device_alg=device.alg,
        now=now,
        ttl_s=ttl_s,
        jti=jti,
        challenge=challenge,
    )
    # the device signs on the phone; here the test plays the phone
    return finish_presentation(unsigned, device.sign(unsigned.signing_input))


def resolver_for(*issuers: Signer) -> IssuerKeyIndex:
    return IssuerKeyIndex((ISS, signer.verification_key()) for signer in issuers)


def verify(text: str, *issuers: Signer, now: int = NOW, **kwargs: Any):  # type: ignore[no-untyped-def]
    return verify_qr_presentation(
        text,
        issuer_key_resolver=resolver_for(*issuers),
        device_key_from_jwk=VerificationKey.from_jwk,
        now=now,
        **kwargs,
    )


def deflate_with_dictionary(data: bytes) -> bytes:
    """Raw DEFLATE with the format's preset dictionary, as an issuer compresses its payload."""
    import zlib

    from schemas.qr_payload.zdict import PRESET_DICTIONARY

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=PRESET_DICTIONARY)
    return compressor.compress(data) + compressor.flush()


def qr_around_issuer_payload(issuer_payload: bytes, *, family: str = "KM", now: int = NOW) -> str:
    """A well-formed QR text whose issuer part carries ``issuer_payload`` (the bytes as signed,
    i.e. already compressed) and zero signatures: for the decoder's guards, which run first."""
    import cbor2

    from schemas.qr_payload.envelope import encode_text

    part = cbor2.dumps([bytes.fromhex("a10126"), {}, issuer_payload, bytes(64)])
    presentation = cbor2.dumps({4: now + 30, 6: now, 7: bytes(8), -65537: part}, canonical=True)
    return encode_text(family, cbor2.dumps([bytes.fromhex("a10126"), {}, presentation, bytes(64)]))
