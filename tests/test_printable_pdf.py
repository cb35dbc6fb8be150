"""The printable copy: a real PDF, Korean text embedded, the document number and its QR."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image


from tests.qr_desk import _signed_in
from wallet_api.qr.printable import FONT_CANDIDATES, korean_font

pytestmark = pytest.mark.skipif(
    not any(p.is_file() for p in FONT_CANDIDATES), reason="no Korean font installed (apt-get install fonts-nanum)"
)


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_printable_pdf_of_a_licence(app_client: TestClient, tmp_path: Path) -> None:
    client = app_client
    app, phone = _signed_in(client)
    credential = app.obtain("mobile_driver_licence", phone)
    r = client.get(f"/v1/wallet/credentials/{credential['id']}/printable.pdf", headers=app.auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert b"FontFile2" in r.content  # the TrueType font (subset) is embedded
    # someone else's credential is not printable for this holder
    other, _ = _signed_in(client, skip=1)
    assert client.get(f"/v1/wallet/credentials/{credential['id']}/printable.pdf", headers=other.auth).status_code == 404

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed: the rendering check needs pdftoppm")
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(r.content)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png")
    found = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    number = found[0].text.rsplit("/", 1)[1]
    assert found[0].text == f"https://ecert.test/v1/documents/{number}"
    assert client.get(f"/v1/documents/{number}").status_code == 200
    # a phone's camera opens the link in a browser: a page in Korean and English, not JSON
    opened = client.get(found[0].text.removeprefix("https://ecert.test"), headers={"Accept": BROWSER_ACCEPT})
    assert opened.headers["content-type"].startswith("text/html")
    assert "유효한 증명서입니다" in opened.text and "This certificate is valid" in opened.text
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "모바일 운전면허증" in text and "문서확인번호" in text and number in text


def test_font_setting_wins(tmp_path: Path) -> None:
    font = tmp_path / "font.ttf"
    font.write_bytes(b"x")
    assert korean_font(font) == font
    from wallet_api.qr.printable import FontUnavailable

    with pytest.raises(FontUnavailable):
        korean_font(tmp_path / "missing.ttf")
