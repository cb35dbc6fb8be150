"""The QR test vectors (tests/vectors/qr/, docs/qr-format.md §14) through the project's verifier,
and through the independent example decoder (examples/qr_decoder.py): same verdict on each."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from keys.jws import VerificationKey
from schemas.errors import WalletError
from verifiers.qr.presentation_signatures import IssuerKeyIndex, verify_qr_presentation

ROOT = Path(__file__).resolve().parents[1]
VECTOR_DIR = ROOT / "tests" / "vectors" / "qr"
VECTORS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(VECTOR_DIR.glob("*.json"))}

#: the cases issue 14 asks for, each by the vector that covers it
REQUIRED = [
    "valid_customs_1_item_es256", "valid_customs_5_items_es256", "valid_customs_1_item_eddsa",
    "valid_customs_5_items_eddsa",
    *(f"valid_mobile_id_{p}_{a}" for p in ("adult_check", "licence_check", "identity_check") for a in ("es256", "eddsa")),
    "expired_presentation", "expired_credential", "not_yet_valid", "wrong_issuer_key", "tampered_issuer_part",
    "tampered_device_part", "device_key_mismatch", "unknown_prefix", "unknown_version", "base45_invalid",
    "deflate_bomb", "cbor_too_deep", "cbor_unknown_critical_header", "truncated_text",
]


def project_verdict(vector: dict[str, Any]) -> dict[str, Any]:
    keys = IssuerKeyIndex((entry["iss"], VerificationKey.from_jwk(entry["jwk"])) for entry in vector["issuer_keys"])
    try:
        verified = verify_qr_presentation(
            vector["text"], issuer_key_resolver=keys, device_key_from_jwk=VerificationKey.from_jwk, now=vector["now"],
            leeway_s=vector["leeway_s"],
        )
    except WalletError as exc:
        return {"valid": False, "code": exc.code}
    return {"valid": True, "type": verified.type_id, "claims": verified.claims}


def test_every_required_case_has_a_vector() -> None:
    assert set(REQUIRED) <= set(VECTORS), sorted(set(REQUIRED) - set(VECTORS))
    for vector in VECTORS.values():
        assert set(vector) == {"description", "text", "issuer_keys", "now", "leeway_s", "expected"}
        for entry in vector["issuer_keys"]:
            assert "d" not in entry["jwk"] and {"kid", "alg"} <= set(entry["jwk"])


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_project_verifier(name: str) -> None:
    vector = VECTORS[name]
    assert project_verdict(vector) == vector["expected"]


def test_valid_customs_vectors_fit_version_15_m() -> None:
    from qr_symbols.images import qr_version

    for name, vector in VECTORS.items():
        if name.startswith("valid_customs"):
            assert qr_version(vector["text"]) <= 15
        if name.startswith("valid_mobile_id"):
            assert qr_version(vector["text"]) <= 13


def _example_decoder():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("qr_decoder_example", ROOT / "examples" / "qr_decoder.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_decoder_imports_nothing_from_the_project() -> None:
    import ast

    source = (ROOT / "examples" / "qr_decoder.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    allowed_third_party = {"base45", "cbor2", "cryptography"}
    assert imported - allowed_third_party <= set(sys.stdlib_module_names), imported
    assert len(source.splitlines()) <= 155  # "at most ~150 lines"


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_example_decoder_agrees_with_the_project(name: str) -> None:
    vector = VECTORS[name]
    assert _example_decoder().verdict(vector) == project_verdict(vector) == vector["expected"]


def test_example_decoder_agrees_on_mutated_texts() -> None:
    # beyond the vectors: one or two characters changed anywhere, seeded; the two verifiers
    # (written from the spec independently) must give the same verdict on every one
    import random

    decoder, rng = _example_decoder(), random.Random(14)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for name in sorted(VECTORS):
        for _ in range(15):
            text = list(VECTORS[name]["text"])
            for _ in range(rng.randrange(1, 3)):
                text[rng.randrange(4, len(text))] = rng.choice(alphabet)
            vector = dict(VECTORS[name], text="".join(text))
            assert decoder.verdict(vector) == project_verdict(vector), (name, vector["text"])
