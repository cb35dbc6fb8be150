"""The QR size table: characters and QR version at error correction M, and bytes per part.

    .venv/bin/python -m benchmarks.qr_sizes

Each row is the LONGEST text over 20 presentations (fresh jti, fresh ES256 nonce), so the
figure is what a desk can meet, not one lucky draw. Parts are raw bytes before the QR's
base45 step: issuer signature, device signature, device key (COSE_Key), claims (the
compact claims CBOR), headers and framing (the rest: COSE arrays, protected headers, iss,
exp, iat, jti, map keys).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import base45
import cbor2

from keys.jws import Signer
from qr_symbols.images import qr_version
from schemas.qr_payload import StatusRef, build_presentation, cose_key_from_jwk, encode_issuer_part, finish_presentation
from schemas.qr_payload.claim_keys import compact_claims, default_type_table

NOW = 1_768_000_000
DRAWS = 20


def _signer(alg: str, label: str) -> Signer:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    seed = hashlib.sha256(f"ecert-wallet qr size table {alg} {label}".encode()).digest()
    if alg == "ES256":
        return Signer.from_private_key(ec.derive_private_key(int.from_bytes(seed, "big"), ec.SECP256R1()))
    return Signer.from_private_key(ed25519.Ed25519PrivateKey.from_private_bytes(seed))


def customs_claims(goods: int, *, long_names: bool = False, korean_names: bool = False) -> dict[str, Any]:
    names = ["핸드백", "손목시계", "화장품 세트", "운동화", "초콜릿"]
    if long_names:
        names = [
            "Leather handbag with long strap",  # 30 characters each
            "Swiss automatic wristwatch 42m",
            "Skin care cosmetics gift set x",
            "Running shoes, men's size 270x",
            "Belgian dark chocolate box 1kg",
        ]
    if korean_names:
        names = [("가죽 핸드백 " * 5)[:30], ("스위스 자동 손목시계 " * 3)[:30], ("화장품 선물 세트 " * 4)[:30],
                 ("남성용 러닝화 " * 4)[:30], ("벨기에 다크 초콜릿 " * 3)[:30]]
    return {
        "name": "HONG GILDONG",
        "birth_date": "1990-01-01",
        "passport_number": "M12345678",
        "nationality": "KR",
        "flight_number": "KE902",
        "arrival_date": "2026-01-09",
        "accompanying_family_count": 3,
        "countries_visited": ["FR", "IT", "CH"],
        "items": {
            "alcohol_bottles": 2,
            "alcohol_litres": 1.5,
            "alcohol_value_usd": 180,
            "cigarettes": 200,
            "perfume_ml": 50,
            "other_goods": [
                {"name": names[i], "quantity": 1 + i, "value": 150 * (i + 1), "currency": ["EUR", "CHF", "USD", "JPY", "EUR"][i]}
                for i in range(goods)
            ],
        },
        "currency_over_10000_usd": False,
        "prohibited_goods": False,
        "quarantine_goods": True,
        "goods_for_sale": False,
    }


PORTRAIT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
MOBILE_PROFILES: dict[str, dict[str, Any]] = {
    "adult_check": {"age_over_19": True, "portrait_sha256": PORTRAIT},
    "licence_check": {"name": "홍길동", "licence_classes": ["1종 보통", "2종 소형"], "issue_date": "2019-09-01",
                      "expiry_date": "2029-12-31"},
    "identity_check": {"name": "홍길동", "resident_registration_number": "900101-1234567",
                       "address": "서울특별시 종로구 세종대로 209 정부서울청사 본관 1501호"},
}
STATUS = StatusRef(hashlib.sha256(b"list").digest()[:16], 131_000)


def measure(type_id: str, family: str, claims: dict[str, Any], iss: str, status: StatusRef | None,
            issuer_alg: str, device_alg: str) -> dict[str, Any]:
    issuer, device = _signer(issuer_alg, "issuer"), _signer(device_alg, "device")
    part = encode_issuer_part(signer=issuer, type_id=type_id, claims=claims, holder_jwk=device.public_jwk, iss=iss,
                              exp=NOW + 2 * 86400, status=status)
    texts = []
    for _ in range(DRAWS):
        unsigned = build_presentation(issuer_part=part, family=family, device_alg=device.alg, now=NOW, ttl_s=30,
                                      jti=os.urandom(4))
        texts.append(finish_presentation(unsigned, device.sign(unsigned.signing_input)))
    worst = max(texts, key=len)
    qr_type = default_type_table().by_id[type_id]
    claims_bytes = len(cbor2.dumps(compact_claims(claims, qr_type.keys), canonical=True))
    key_bytes = len(cbor2.dumps(cose_key_from_jwk(device.public_jwk), canonical=True))
    body = worst.split(":", 1)[1]
    wire = len(base45.b45decode(body))
    return {
        "chars": len(worst), "min_chars": min(map(len, texts)), "version": qr_version(worst), "wire_bytes": wire,
        "issuer_sig": 64, "device_sig": 64, "device_key": key_bytes, "claims": claims_bytes,
        "headers": raw_length(worst) - 128 - key_bytes - claims_bytes,
    }


def raw_length(text: str) -> int:
    """Bytes of the signed structures with nothing compressed (the device COSE_Sign1 around the issuer's)."""
    from schemas.qr_payload.decode import decode_qr_text

    unverified = decode_qr_text(text)
    issuer = unverified.issuer
    plain_issuer = cbor2.dumps([issuer.protected_raw, {}, getattr(unverified, "issuer_payload_inflated", issuer.payload), issuer.signature])
    presentation = cbor2.loads(unverified.device.payload)
    presentation[-65537] = plain_issuer
    plain_presentation = cbor2.dumps(presentation, canonical=True)
    return len(cbor2.dumps([unverified.device.protected_raw, {}, plain_presentation, unverified.device.signature]))


def rows() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for issuer_alg in ("ES256", "EdDSA"):
        for label, claims in (
            ("customs, 1 item", customs_claims(1)),
            ("customs, 5 items", customs_claims(5)),
            ("customs, 5 items, 30-char names", customs_claims(5, long_names=True)),
            ("customs, 5 items, 30-char Korean names", customs_claims(5, korean_names=True)),
        ):
            out.append((f"{label} ({issuer_alg})", measure("customs_declaration", "KD", claims, "kcs", None,
                                                           issuer_alg, issuer_alg)))
        for profile, claims in MOBILE_PROFILES.items():
            out.append((f"mobile ID {profile} ({issuer_alg})", measure("mobile_driver_licence", "KM", claims, "knpa",
                                                                     STATUS, issuer_alg, issuer_alg)))
    return out


def main() -> None:
    print(f"{'case':48} {'chars':>9} {'ver':>4} {'wire B':>6} {'iss sig':>7} {'dev sig':>7} {'dev key':>7} {'claims':>6} {'headers':>7}")
    for label, m in rows():
        print(f"{label:48} {m['min_chars']:>4}-{m['chars']:<4} {m['version']:>3}M {m['wire_bytes']:>6} "
              f"{m['issuer_sig']:>7} {m['device_sig']:>7} {m['device_key']:>7} {m['claims']:>6} {m['headers']:>7}")


if __name__ == "__main__":
    main()
