"""Writes the QR test vectors (docs/qr-format.md §14) from the fixed keys in tests/keys/qr/.

    .venv/bin/python tests/vectors/qr/generate.py

Valid vectors are made with the project's issuer and presenter code; the hostile ones are
built byte by byte here (a tampered claim under the original signature, a bomb, a crit
header, ...). Every vector's expectation is stated here, from the spec, and checked against
the project's verifier before it is written - a disagreement stops the generator. ES256
signatures are randomized, so a re-run changes texts, never verdicts.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

import base45
import cbor2
from cryptography.hazmat.primitives import serialization

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from keys.jws import Signer, VerificationKey  # noqa: E402
from schemas.errors import WalletError  # noqa: E402
from schemas.qr_payload import StatusRef, build_presentation, encode_issuer_part, finish_presentation  # noqa: E402
from verifiers.qr.presentation_signatures import IssuerKeyIndex, verify_qr_presentation  # noqa: E402
from schemas.qr_payload.envelope import encode_text  # noqa: E402
from schemas.qr_payload.zdict import PRESET_DICTIONARY  # noqa: E402

OUT = Path(__file__).resolve().parent
KEYS = ROOT / "tests" / "keys" / "qr"
NOW = 1_768_000_000  # 2026-01-09T23:06:40Z
LEEWAY_S = 5

CUSTOMS_ONE = {
    "name": "HONG GILDONG", "birth_date": "1990-01-01", "passport_number": "M12345678", "nationality": "KR",
    "flight_number": "KE902", "arrival_date": "2026-01-10", "accompanying_family_count": 0,
    "countries_visited": ["JP"],
    "items": {"alcohol_bottles": 0, "alcohol_litres": 0, "alcohol_value_usd": 0, "cigarettes": 0, "perfume_ml": 0,
              "other_goods": [{"name": "화장품 세트", "quantity": 2, "value": 180, "currency": "EUR"}]},
    "currency_over_10000_usd": False, "prohibited_goods": False, "quarantine_goods": False, "goods_for_sale": False,
}
CUSTOMS_FIVE = {
    **CUSTOMS_ONE,
    "accompanying_family_count": 3,
    "countries_visited": ["FR", "IT", "CH"],
    "items": {"alcohol_bottles": 2, "alcohol_litres": 1.5, "alcohol_value_usd": 180, "cigarettes": 200, "perfume_ml": 100,
              "other_goods": [
                  {"name": "여성용 가죽 핸드백 및 지갑 선물 세트", "quantity": 1, "value": 1200, "currency": "EUR"},
                  {"name": "Men's Swiss automatic watch", "quantity": 1, "value": 850, "currency": "CHF"},
                  {"name": "화장품 선물 세트", "quantity": 2, "value": 180, "currency": "EUR"},
                  {"name": "Running shoes", "quantity": 1, "value": 230, "currency": "USD"},
                  {"name": "초콜릿", "quantity": 5, "value": 40, "currency": "EUR"},
              ]},
    "quarantine_goods": True,
}
PROFILES = {
    "adult_check": {"age_over_19": True,
                    "portrait_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
    "licence_check": {"name": "홍길동", "licence_classes": ["1종 보통", "2종 소형"], "issue_date": "2019-09-01",
                      "expiry_date": "2029-12-31"},
    "identity_check": {"name": "홍길동", "resident_registration_number": "900101-1234567",
                       "address": "서울특별시 종로구 세종대로 209 정부서울청사 본관 1501호"},
}
STATUS = StatusRef(bytes.fromhex("5f0c8b1e2d3a4f6071829304a5b6c7d8"), 4711)


def signer(name: str) -> Signer:
    key = serialization.load_pem_private_key((KEYS / f"{name}.pem").read_bytes(), password=None)
    return Signer.from_private_key(key)  # type: ignore[arg-type]


ISSUER = {"ES256": signer("issuer-es256"), "EdDSA": signer("issuer-eddsa")}
DEVICE = {"ES256": signer("device-es256"), "EdDSA": signer("device-eddsa")}
OTHER_ISSUER, OTHER_DEVICE = signer("other-issuer-es256"), signer("other-device-es256")


def key_entry(iss: str, key: Signer) -> dict[str, Any]:
    return {"iss": iss, "jwk": {**key.public_jwk, "kid": key.kid, "alg": key.alg}}


def issuer_part(alg: str, type_id: str, claims: dict[str, Any], iss: str, *, device: Signer, exp: int = NOW + 2 * 86400,
                status: StatusRef | None = None) -> bytes:
    return encode_issuer_part(signer=ISSUER[alg], type_id=type_id, claims=claims, holder_jwk=device.public_jwk, iss=iss,
                              exp=exp, status=status)


def present(part: bytes, family: str, device: Signer, *, iat: int = NOW - 5, ttl_s: int = 30,
            signing_device: Signer | None = None) -> str:
    unsigned = build_presentation(issuer_part=part, family=family, device_alg=device.alg, now=iat, ttl_s=ttl_s,
                                  jti=bytes.fromhex("a1b2c3d4"))
    return finish_presentation(unsigned, (signing_device or device).sign(unsigned.signing_input))


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=PRESET_DICTIONARY)
    return compressor.compress(data) + compressor.flush()


def replace_issuer_payload(text: str, payload: bytes, protected: bytes | None = None) -> str:
    """The same QR with the issuer part's payload (and protected header) swapped, signatures kept."""
    family = text[:2]
    device = cbor2.loads(base45.b45decode(text[4:]))
    presentation = cbor2.loads(device[2])
    part = cbor2.loads(presentation[-65537])
    part[2] = payload
    if protected is not None:
        part[0] = protected
    presentation[-65537] = cbor2.dumps(part)
    device[2] = cbor2.dumps(presentation, canonical=True)
    return encode_text(family, cbor2.dumps(device))


def issuer_payload(text: str) -> bytes:
    device = cbor2.loads(base45.b45decode(text[4:]))
    return cbor2.loads(cbor2.loads(device[2])[-65537])[2]


def inflated_credential(text: str) -> dict[Any, Any]:
    return cbor2.loads(zlib.decompressobj(-15, zdict=PRESET_DICTIONARY).decompress(issuer_payload(text)))


def vectors() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def add(name: str, description: str, text: str, keys: list[dict[str, Any]], expected: dict[str, Any],
            now: int = NOW) -> None:
        out[name] = {"description": description, "text": text, "issuer_keys": keys, "now": now, "leeway_s": LEEWAY_S,
                     "expected": expected}

    kcs = {alg: [key_entry("kcs", ISSUER[alg])] for alg in ISSUER}
    knpa = {alg: [key_entry("knpa", ISSUER[alg])] for alg in ISSUER}

    for alg in ("ES256", "EdDSA"):
        for label, claims in (("1_item", CUSTOMS_ONE), ("5_items", CUSTOMS_FIVE)):
            text = present(issuer_part(alg, "customs_declaration", claims, "kcs", device=DEVICE[alg]), "KD", DEVICE[alg])
            add(f"valid_customs_{label}_{alg.lower()}", f"customs declaration, {label.replace('_', ' ')}, "
                f"{alg} issuer and device keys", text, kcs[alg],
                {"valid": True, "type": "customs_declaration", "claims": claims})
        for profile, claims in PROFILES.items():
            text = present(issuer_part(alg, "mobile_driver_licence", claims, "knpa", device=DEVICE[alg], exp=NOW + 600,
                                       status=STATUS), "KM", DEVICE[alg])
            add(f"valid_mobile_id_{profile}_{alg.lower()}", f"mobile driver licence, {profile} profile, {alg} keys",
                text, knpa[alg], {"valid": True, "type": "mobile_driver_licence", "claims": claims})

    es, ed = DEVICE["ES256"], DEVICE["EdDSA"]
    base_part = issuer_part("ES256", "mobile_driver_licence", PROFILES["adult_check"], "knpa", device=es, exp=NOW + 600,
                            status=STATUS)
    good = present(base_part, "KM", es)
    add("mixed_keys_es256_issuer_eddsa_device", "ES256 issuer key, Ed25519 device key",
        present(issuer_part("ES256", "mobile_driver_licence", PROFILES["licence_check"], "knpa", device=ed,
                            exp=NOW + 600, status=STATUS), "KM", ed),
        knpa["ES256"], {"valid": True, "type": "mobile_driver_licence", "claims": PROFILES["licence_check"]})
    add("expired_presentation", "verified 60 s after the presentation was made (30 s lifetime)", good, knpa["ES256"],
        {"valid": False, "code": "expired"}, now=NOW + 60)
    add("expired_credential", "the issuer part expired before the presentation was made",
        present(issuer_part("ES256", "mobile_driver_licence", PROFILES["adult_check"], "knpa", device=es, exp=NOW - 10,
                            status=STATUS), "KM", es),
        knpa["ES256"], {"valid": False, "code": "expired"})
    add("not_yet_valid", "presentation made 60 s after the verifier's now (leeway 5 s)",
        present(base_part, "KM", es, iat=NOW + 60), knpa["ES256"], {"valid": False, "code": "not_yet_valid"})
    add("wrong_issuer_key", "the verifier trusts another key for iss", good, [key_entry("knpa", OTHER_ISSUER)],
        {"valid": False, "code": "signature_invalid"})
    add("untrusted_issuer", "the verifier has no key for iss \"knpa\"", good, [key_entry("kcs", ISSUER["ES256"])],
        {"valid": False, "code": "issuer_untrusted"})

    credential = inflated_credential(good)
    credential[-65537][1][4] = False  # age_over_19 flipped; the issuer's signature kept
    add("tampered_issuer_part", "a claim changed in the issuer part (recompressed), issuer signature kept",
        replace_issuer_payload(good, deflate(cbor2.dumps(credential, canonical=True))), knpa["ES256"],
        {"valid": False, "code": "signature_invalid"})

    device = cbor2.loads(base45.b45decode(good[4:]))
    presentation = cbor2.loads(device[2])
    presentation[4] += 10  # ten more seconds of life; the device signature kept
    device[2] = cbor2.dumps(presentation, canonical=True)
    add("tampered_device_part", "presentation exp moved 10 s later, device signature kept",
        encode_text("KM", cbor2.dumps(device)), knpa["ES256"], {"valid": False, "code": "holder_binding_failed"})
    add("device_key_mismatch", "presentation signed by a device key other than the one in cnf",
        present(base_part, "KM", es, signing_device=OTHER_DEVICE), knpa["ES256"],
        {"valid": False, "code": "holder_binding_failed"})
    add("relabelled_prefix", "a mobile-ID presentation relabelled KD1: (the prefix is the device signature's AAD)",
        "KD1:" + good[4:], knpa["ES256"], {"valid": False, "code": "typ_invalid"})

    add("unknown_prefix", "prefix family KX", "KX1:" + good[4:], knpa["ES256"],
        {"valid": False, "code": "qr_prefix_unknown"})
    add("unknown_version", "version 2 of a known family", "KM2:" + good[4:], knpa["ES256"],
        {"valid": False, "code": "qr_version_unsupported"})
    add("base45_invalid", "lower-case letters are not base45", good[:40] + good[40:60].lower() + good[60:],
        knpa["ES256"], {"valid": False, "code": "qr_encoding_invalid"})
    add("truncated_text", "the text cut after 300 characters (whole base45 triples)", good[: 4 + 297], knpa["ES256"],
        {"valid": False, "code": "malformed"})
    add("deflate_bomb", "the issuer payload inflates to 300 000 zero bytes (bound: 8192)",
        replace_issuer_payload(good, deflate(b"\0" * 300_000)), knpa["ES256"],
        {"valid": False, "code": "qr_too_large"})
    add("deflate_invalid", "the issuer payload is not a DEFLATE stream", replace_issuer_payload(good, b"\xff\xff\xff\xff"),
        knpa["ES256"], {"valid": False, "code": "qr_compression_invalid"})
    deep = cbor2.loads(cbor2.dumps(credential, canonical=True))
    nested: Any = "x"
    for _ in range(12):
        nested = [nested]
    deep[-65537][1]["note"] = nested
    add("cbor_too_deep", "a claim nested 12 arrays deep inside the credential (bound: depth 8)",
        replace_issuer_payload(good, deflate(cbor2.dumps(deep, canonical=True))), knpa["ES256"],
        {"valid": False, "code": "qr_cbor_too_deep"})
    # the header is refused before any signature is looked at: the original payload and signature stay
    crit_protected = cbor2.dumps({1: -7, 2: [99]}, canonical=True)
    crit_text = replace_issuer_payload(good, issuer_payload(good), protected=crit_protected)
    add("cbor_unknown_critical_header", "the issuer part's protected header carries crit: [99]", crit_text,
        knpa["ES256"], {"valid": False, "code": "malformed"})
    return out


def project_verdict(vector: dict[str, Any]) -> dict[str, Any]:
    keys = IssuerKeyIndex((entry["iss"], VerificationKey.from_jwk(entry["jwk"])) for entry in vector["issuer_keys"])
    try:
        verified = verify_qr_presentation(vector["text"], issuer_key_resolver=keys,
                                          device_key_from_jwk=VerificationKey.from_jwk, now=vector["now"],
                                          leeway_s=vector["leeway_s"])
    except WalletError as exc:
        return {"valid": False, "code": exc.code}
    return {"valid": True, "type": verified.type_id, "claims": verified.claims}


def main() -> None:
    for old in OUT.glob("*.json"):
        old.unlink()
    for name, vector in vectors().items():
        verdict = project_verdict(vector)
        if verdict != vector["expected"]:
            raise SystemExit(f"{name}: the project's verifier says {verdict}, the vector expects {vector['expected']}")
        (OUT / f"{name}.json").write_text(json.dumps(vector, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(list(OUT.glob('*.json')))} vectors to {OUT}")


if __name__ == "__main__":
    main()
