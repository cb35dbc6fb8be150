"""QR images: every PNG we render is read back by zxing-cpp, as a desk scanner would, and the
text it reads must verify. SVG is checked structurally (no rasteriser is a dependency)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import PIL.Image
import pytest
import zxingcpp

from qr_symbols.images import build_qr, module_matrix, png_from_matrix, render_png, render_svg
from tests.qr_payloads import MOBILE_ID_PROFILES, NOW, customs_claims, fixed_signer, make_qr, verify

ISSUER, DEVICE = fixed_signer("ES256", "issuer"), fixed_signer("ES256", "device")
TEXTS = {
    "customs": make_qr(type_id="customs_declaration", family="KD", claims=customs_claims(), issuer=ISSUER,
                       device=DEVICE),
    **{
        profile: make_qr(type_id="mobile_driver_licence", family="KM", claims=claims, issuer=ISSUER, device=DEVICE)
        for profile, claims in MOBILE_ID_PROFILES.items()
    },
}


def _scan(png: bytes) -> str:
    results = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1
    return results[0].text


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("box_size", [2, 4, 8])
def test_png_scans_back_and_verifies(name: str, box_size: int) -> None:
    png = render_png(TEXTS[name], box_size=box_size)
    image = PIL.Image.open(io.BytesIO(png))
    assert image.mode == "1"
    assert image.size[0] == len(module_matrix(TEXTS[name])) * box_size
    scanned = _scan(png)
    assert scanned == TEXTS[name]
    verify(scanned, ISSUER, now=NOW + 1)


def test_png_width_not_a_multiple_of_eight_and_no_border() -> None:
    png = render_png("KM1:ABC", box_size=3, border=4)
    assert _scan(png) == "KM1:ABC"
    png_tight = render_png("KM1:ABC", box_size=5, border=0)
    assert PIL.Image.open(io.BytesIO(png_tight)).size == (21 * 5, 21 * 5)


def test_text_is_one_alphanumeric_segment() -> None:
    qr = build_qr(TEXTS["customs"])
    assert [chunk.mode for chunk in qr.data_list] == [2]  # qrcode.util.MODE_ALPHA_NUM


def test_svg_structure() -> None:
    svg = render_svg(TEXTS["adult_check"])
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    size = len(module_matrix(TEXTS["adult_check"]))
    assert root.get("viewBox") == f"0 0 {size} {size}"
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    dark = sum(module for row in module_matrix(TEXTS["adult_check"]) for module in row)
    assert path.get("d", "").count("h1v1h-1z") == dark


# --- the fast matrix (qr_symbols.matrix) against qrcode itself ---------------------------------

import math  # noqa: E402
import random  # noqa: E402

import qrcode  # noqa: E402
from qrcode import util as qr_util  # noqa: E402
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q  # noqa: E402

from qr_symbols.images import qr_symbol, qr_version  # noqa: E402
from qr_symbols.matrix import encode_codewords, make_symbol  # noqa: E402

_BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_PRINTABLE = "".join(chr(c) for c in range(32, 127))
# caps per kind keep a log-uniform length at version <= 15 (ECC M) most of the time
_MAX_LENGTH = {"alnum": 760, "bytes": 410, "mixed": 500, "utf8": 130}


def _random_text(rng: random.Random, kind: str) -> str:
    # half log-uniform (small versions are narrow in length), half uniform (large ones are wide)
    cap = _MAX_LENGTH[kind]
    length = max(1, int(math.exp(rng.uniform(0, math.log(cap))))) if rng.random() < 0.5 else rng.randint(1, cap)
    if kind == "alnum":
        return "".join(rng.choice(_BASE45) for _ in range(length))
    if kind == "bytes":
        return "".join(rng.choice(_PRINTABLE) for _ in range(length))
    if kind == "utf8":
        return "".join(rng.choice("aZ9 é€ßЖ日本🙂") for _ in range(length))
    # runs long enough (>= 20) that qrcode's add_data splits them into numeric/alnum/byte segments
    parts, size = [], 0
    while size < length:
        alphabet = rng.choice(["0123456789", _BASE45, "abcdefghijklmnopqrstuvwxyz"])
        run = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 45)))
        parts.append(run)
        size += len(run)
    return "".join(parts)[:length]


def _qrcode_reference(text: str, error_correction: int = ERROR_CORRECT_M) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=error_correction, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return qr


def _mask_from_format(matrix: list[list[bool]]) -> tuple[int, int]:
    # read the first format copy (around the top-left finder) as a scanner would: (ecc bits, mask)
    cells = [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8), (5, 8), (4, 8), (3, 8),
             (2, 8), (1, 8), (0, 8)]  # bit 14 first
    word = 0
    for row, col in cells:
        word = word << 1 | int(matrix[row][col])
    data = (word ^ qr_util.G15_MASK) >> 10
    return data >> 3, data & 7


def _scan_text(png: bytes) -> str:
    # QR only: on random module patterns zxing can also "see" a 1-D barcode (seen: ITF at box 2)
    results = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1
    return results[0].text


@pytest.mark.parametrize("kind", ["alnum", "bytes", "mixed", "utf8"])
def test_matrix_and_mask_identical_to_qrcode_on_random_inputs(kind: str) -> None:
    rng = random.Random(f"qr-matrix-{kind}")
    versions: set[int] = set()
    masks: set[int] = set()
    checked = 0
    while checked < 120:
        text = _random_text(rng, kind)
        reference = _qrcode_reference(text)
        if reference.version > 15:
            continue
        expected = [row[:] for row in reference.get_matrix()]
        segments = list(qr_util.optimal_data_chunks(text, minimum=20))  # what add_data(text) does
        symbol = make_symbol(segments, ERROR_CORRECT_M)
        assert symbol.version == reference.version, text
        assert list(encode_codewords(segments, symbol.version, ERROR_CORRECT_M)) == reference.data_cache
        assert (ERROR_CORRECT_M, symbol.mask) == _mask_from_format(expected), text
        assert symbol.matrix() == expected, text
        versions.add(symbol.version)
        masks.add(symbol.mask)
        checked += 1
    if kind in ("alnum", "bytes", "mixed"):
        assert versions == set(range(1, 16)), sorted(versions)  # the claim covers every version ≤ 15
    assert masks == set(range(8)) or kind == "utf8", sorted(masks)


@pytest.mark.parametrize("kind", ["alnum", "bytes", "utf8"])
def test_our_single_segment_symbol_matches_qrcode_and_scans(kind: str) -> None:
    rng = random.Random(f"qr-segment-{kind}")
    for _ in range(25):
        text = _random_text(rng, kind)
        if qr_version(text) > 15:
            continue
        reference = build_qr(text, border=0)
        assert qr_version(text) == reference.version
        assert module_matrix(text, border=0) == reference.get_matrix(), text
        assert module_matrix(text, border=2) == build_qr(text, border=2).get_matrix()
        assert _scan_text(render_png(text, box_size=3)) == text


def test_per_mask_penalties_equal_qrcode_lost_point() -> None:
    # the full score of every mask, not only the winner: ties and near-ties must agree too
    rng = random.Random("qr-penalties")
    for version_hint in range(1, 16):
        text = "".join(rng.choice(_BASE45) for _ in range(version_hint * 40))
        reference = _qrcode_reference(text)
        if reference.version > 15:
            continue
        symbol = make_symbol(list(qr_util.optimal_data_chunks(text, minimum=20)), ERROR_CORRECT_M)
        scores = []
        for mask in range(8):
            reference.makeImpl(True, mask)
            scores.append(qr_util.lost_point(reference.modules))
        assert symbol.penalties == tuple(scores), (reference.version, symbol.penalties, scores)


@pytest.mark.parametrize("error_correction", [ERROR_CORRECT_L, ERROR_CORRECT_Q, ERROR_CORRECT_H])
def test_other_ecc_levels_identical_to_qrcode(error_correction: int) -> None:
    rng = random.Random(f"qr-ecc-{error_correction}")
    for _ in range(15):
        text = _random_text(rng, "mixed")[:200]
        reference = _qrcode_reference(text, error_correction)
        symbol = make_symbol(list(qr_util.optimal_data_chunks(text, minimum=20)), error_correction)
        assert symbol.matrix() == reference.get_matrix(), text


@pytest.mark.parametrize("mask", range(8))
def test_forced_mask_matches_qrcode_mask_pattern(mask: int) -> None:
    text = TEXTS["customs"]
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=mask)
    reference.add_data(build_qr(text).data_list[0])
    reference.make(fit=True)
    symbol = make_symbol(build_qr(text).data_list, ERROR_CORRECT_M, mask=mask)
    assert symbol.matrix() == reference.get_matrix()


def test_payload_symbols_identical_to_qrcode() -> None:
    for name, text in TEXTS.items():
        reference = build_qr(text, border=4)
        assert module_matrix(text) == reference.get_matrix(), name
        assert qr_symbol(text).version == qr_version(text) == reference.version <= 15


def test_png_from_matrix_equals_render_png() -> None:
    text = TEXTS["adult_check"]
    for box_size, border in ((1, 0), (3, 4), (8, 4)):
        assert png_from_matrix(module_matrix(text, border=border), box_size=box_size) == render_png(
            text, box_size=box_size, border=border)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        make_symbol(build_qr("A").data_list, ERROR_CORRECT_M, mask=8)
    with pytest.raises(ValueError):
        render_png("A", box_size=0)
    with pytest.raises(ValueError):
        render_png("A", border=-1)
