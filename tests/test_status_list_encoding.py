"""The Token Status List wire format against the draft's own vectors, plus hostile input."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from keys.jws import VerificationKey, parse_compact, verify_compact
from schemas.errors import Malformed
from schemas.status_list import (
    INVALID,
    STATUS_LIST_JWT_TYP,
    SUSPENDED,
    VALID,
    decode_status_list,
    encode_packed,
    encode_status_list,
    inflate_bounded,
    pack_statuses,
)

VECTORS = Path(__file__).resolve().parent / "vectors" / "token-status-list"
LONG_LIST_SIZE = 1 << 20  # "All examples are initialized with a size of 2^20 entries."

#: the draft's §4.1 examples, entry by entry (the byte arrays are in the vector files)
SMALL_VECTORS: dict[str, tuple[int, list[int]]] = {
    "status_list_encoding_json.txt": (1, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]),
    "status_list_encoding2_json.txt": (2, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]),
}
LONG_VECTORS: dict[int, str] = {
    1: "status_list_encoding1_long_json.txt",
    2: "status_list_encoding2_long_json.txt",
    4: "status_list_encoding4_json.txt",
    8: "status_list_encoding8_json.txt",
}
#: the public half of the draft's example key (src/util.py of oauth-wg/draft-ietf-oauth-status-list,
#: kid "12"), which signed status_list_jwt_raw.txt
DRAFT_EXAMPLE_PUBLIC_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo",
    "y": "6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M",
}


def _vector_json(name: str) -> dict[str, Any]:
    text = (VECTORS / name).read_text()
    # the files wrap long base64 over several lines and some prefix a byte_array note
    return json.loads(re.sub(r"\s+", "", text[text.index("{") : text.rindex("}") + 1]))


def _byte_array(name: str) -> bytes:
    match = re.search(r"byte_array = \[([^\]]*)\]", (VECTORS / name).read_text())
    assert match is not None
    return bytes(int(b, 16) for b in match.group(1).split(","))


def _expected_long_statuses() -> dict[int, dict[int, int]]:
    """Parse test-vectors-section.md: one `## N-bit Status List` section per width."""
    text = (VECTORS / "test-vectors-section.md").read_text()
    expected: dict[int, dict[int, int]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        header = re.match(r"(\d+)-bit Status List", section)
        if header is None:
            continue
        entries = re.findall(r"status\[(\d+)\]\s*=\s*0b([01]+)", section)
        expected[int(header.group(1))] = {int(i): int(v, 2) for i, v in entries}
    return expected


EXPECTED_LONG = _expected_long_statuses()


def test_vector_sections_were_parsed() -> None:
    assert sorted(EXPECTED_LONG) == [1, 2, 4, 8]
    assert len(EXPECTED_LONG[8]) == 256


@pytest.mark.parametrize("name", sorted(SMALL_VECTORS))
def test_small_vector_decodes_to_the_drafts_statuses(name: str) -> None:
    bits, statuses = SMALL_VECTORS[name]
    decoded = decode_status_list(_vector_json(name))
    assert decoded.bits == bits
    assert decoded.packed == _byte_array(name)
    assert [decoded.status_at(i) for i in range(len(decoded))] == statuses


@pytest.mark.parametrize("name", sorted(SMALL_VECTORS))
def test_small_vector_encoding_round_trips(name: str) -> None:
    bits, statuses = SMALL_VECTORS[name]
    encoded = encode_status_list(statuses, bits=bits)
    assert encoded["bits"] == bits
    decoded = decode_status_list(encoded)
    assert [decoded.status_at(i) for i in range(len(decoded))] == statuses


@pytest.mark.parametrize("bits", sorted(LONG_VECTORS))
def test_long_vector_decodes_exactly(bits: int) -> None:
    decoded = decode_status_list(_vector_json(LONG_VECTORS[bits]))
    assert decoded.bits == bits
    assert len(decoded) == LONG_LIST_SIZE
    expected = {i: s for i, s in EXPECTED_LONG[bits].items() if s}
    # every listed entry has its value and every other entry is VALID
    assert decoded.nonzero() == expected
    for idx, status in EXPECTED_LONG[bits].items():
        assert decoded.status_at(idx) == status


@pytest.mark.parametrize("bits", sorted(LONG_VECTORS))
def test_long_vector_encoding_round_trips(bits: int) -> None:
    expected = EXPECTED_LONG[bits]
    encoded = encode_packed(pack_statuses(expected, size=LONG_LIST_SIZE, bits=bits), bits=bits)
    decoded = decode_status_list(encoded)
    assert len(decoded) == LONG_LIST_SIZE
    assert decoded.nonzero() == {i: s for i, s in expected.items() if s}
    # zlib output may legitimately differ; the inflated bytes may not
    assert decoded.packed == decode_status_list(_vector_json(LONG_VECTORS[bits])).packed


def test_status_values() -> None:
    assert (VALID, INVALID, SUSPENDED) == (0, 1, 2)


def test_example_status_list_jwt_parses_and_verifies_with_the_drafts_key() -> None:
    token = "".join((VECTORS / "status_list_jwt_raw.txt").read_text().split())
    parsed = parse_compact(token)
    assert parsed.unverified_header == {"alg": "ES256", "kid": "12", "typ": STATUS_LIST_JWT_TYP}
    key = VerificationKey.from_jwk(DRAFT_EXAMPLE_PUBLIC_JWK, kid="12")
    verified = verify_compact(token, key, expected_typ=STATUS_LIST_JWT_TYP)
    assert verified.payload["sub"] == "https://example.com/statuslists/1"
    assert verified.payload["ttl"] == 43200
    decoded = decode_status_list(verified.payload["status_list"])
    assert [decoded.status_at(i) for i in range(len(decoded))] == SMALL_VECTORS["status_list_encoding_json.txt"][1]


def test_example_status_list_jwt_pretty_form_matches_the_raw_token() -> None:
    text = (VECTORS / "status_list_jwt.txt").read_text()
    header_text, payload_text = text.split("\n.\n")
    raw = parse_compact("".join((VECTORS / "status_list_jwt_raw.txt").read_text().split()))
    assert json.loads(header_text) == raw.unverified_header
    pretty_payload = json.loads(payload_text)
    # the pretty form omits iss; every member it shows is in the signed payload
    assert pretty_payload.items() <= raw.unverified_claims().items()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_zlib_bomb_is_refused_without_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zlib.compress(bytes(100 << 20), 9)  # 100 MiB of zeros in ~100 KB
    produced: list[int] = []
    real = zlib.decompressobj

    class CountingInflater:
        def __init__(self) -> None:
            self._inner = real()

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self._inner.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

    monkeypatch.setattr(zlib, "decompressobj", CountingInflater)
    with pytest.raises(Malformed, match="inflates past"):
        decode_status_list({"bits": 2, "lst": _b64url(bomb)})
    # it stopped at the bound (4 MiB and one byte), never near the 100 MiB the stream holds
    assert 0 < sum(produced) <= (4 << 20) + 1


def test_inflate_bound_is_exact() -> None:
    data = bytes(range(256)) * 16
    compressed = zlib.compress(data)
    assert inflate_bounded(compressed, len(data)) == data
    with pytest.raises(Malformed, match="inflates past"):
        inflate_bounded(compressed, len(data) - 1)


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        {"lst": "eNrbuRgAAhcBXQ"},
        {"bits": 3, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": True, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": 1},
        {"bits": 1, "lst": ""},
        {"bits": 1, "lst": "eNrbuRgAAhcBXQ=="},  # padding is not base64url
        {"bits": 1, "lst": "eNrb+RgAAhcBXQ"},  # '+' is base64, not base64url
        {"bits": 1, "lst": "eNrbuRgAAhc"},  # truncated stream
        {"bits": 1, "lst": _b64url(zlib.compress(b"\x01") + b"junk")},
        {"bits": 1, "lst": _b64url(b"not zlib at all")},
        {"bits": 1, "lst": _b64url(zlib.compress(b""))},
    ],
)
def test_malformed_status_lists_are_refused(obj: Any) -> None:
    with pytest.raises(Malformed):
        decode_status_list(obj)


@pytest.mark.parametrize("idx", [-1, 16, True, "0", 1.0])
def test_lookup_outside_the_list_is_refused(idx: Any) -> None:
    decoded = decode_status_list(_vector_json("status_list_encoding_json.txt"))
    with pytest.raises(Malformed):
        decoded.status_at(idx)


def test_pack_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        pack_statuses({0: 4}, size=4, bits=2)
    with pytest.raises(ValueError):
        pack_statuses({4: 1}, size=4, bits=2)
    with pytest.raises(ValueError):
        pack_statuses({}, size=6, bits=2)  # 6 two-bit entries do not fill whole bytes
