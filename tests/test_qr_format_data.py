"""The QR format's data files: shipped with the package, pinned by SHA-256 (as in docs/qr-format.md).

Both files are wire format: a changed byte in the dictionary makes every QR unreadable, a
changed claim key makes claims mean something else. Changing either is a new format
version (a new prefix digit) and a new pin in the spec - never a silent edit.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from schemas.qr_payload.claim_keys import CLAIM_KEYS_FILE, default_type_table
from schemas.qr_payload.zdict import DICTIONARY_FILE, PRESET_DICTIONARY, build_dictionary

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY_SHA256 = "e6d7b69c0b16faa6594a5406a0b712ec5115c7c007d0cee54882063c8d913f3b"
CLAIM_KEYS_SHA256 = "9f170cad423a33f5ff36f6ace82ad96763c02c4b3d794e77fb6e3cc8cf5e0f26"


def test_dictionary_file_is_pinned_and_is_what_the_codec_uses() -> None:
    raw = DICTIONARY_FILE.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == DICTIONARY_SHA256
    assert PRESET_DICTIONARY == raw and len(raw) == 2527
    # the readable source in zdict.py still makes exactly this file
    assert build_dictionary() == raw


def test_claim_key_tables_file_is_pinned() -> None:
    assert hashlib.sha256(CLAIM_KEYS_FILE.read_bytes()).hexdigest() == CLAIM_KEYS_SHA256
    assert default_type_table().version == 1


def test_the_spec_names_the_same_pins() -> None:
    spec = (ROOT / "docs" / "qr-format.md").read_text(encoding="utf-8")
    assert DICTIONARY_SHA256 in spec and CLAIM_KEYS_SHA256 in spec


def test_data_files_are_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["schemas"]
    shipped = {DICTIONARY_FILE, CLAIM_KEYS_FILE}
    for path in shipped:
        relative = path.relative_to(ROOT / "schemas").as_posix()
        assert any(re.fullmatch(pattern.replace(".", r"\.").replace("*", r"[^/]*"), relative) for pattern in patterns), relative
