"""QR images: every PNG we render is read back by zxing-cpp, as a desk scanner would, and the
text it reads must verify. SVG is checked structurally (no rasteriser is a dependency)."""

from __future__ import annotations

import io
import timeit
import xml.etree.ElementTree as ET

import PIL.Image
import pytest
import zxingcpp

from schemas.qr_image import build_qr, module_matrix, png_from_matrix, render_png, render_svg
from test_qr_support import MOBILE_ID_PROFILES, NOW, customs_claims, fixed_signer, make_qr, verify

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
    results = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
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


def test_png_is_at_least_four_times_faster_than_qrcode_make_image() -> None:
    qr = build_qr(TEXTS["identity_check"])
    matrix = qr.get_matrix()

    def ours() -> None:
        png_from_matrix(matrix, box_size=8)

    def default() -> None:
        qr.make_image().save(io.BytesIO(), format="PNG")

    ours_s = min(timeit.repeat(ours, number=10, repeat=3)) / 10
    default_s = min(timeit.repeat(default, number=10, repeat=3)) / 10
    print(f"\nPNG version {qr.version}: ours {ours_s * 1000:.2f} ms, qrcode make_image {default_s * 1000:.2f} ms, "
          f"{default_s / ours_s:.1f}x")
    assert default_s / ours_s >= 4


def test_verify_throughput() -> None:
    text = TEXTS["customs"]
    runs = 200
    seconds = timeit.timeit(lambda: verify(text, ISSUER, now=NOW + 1), number=runs)
    print(f"\nverify_qr_presentation: {runs / seconds:.0f}/s (customs, ES256 issuer and device)")
