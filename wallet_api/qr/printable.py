"""A printable PDF copy of a stored certificate: Korean labels, the document check number
(문서확인번호) and a QR that opens its verification page.

fpdf2 embeds (a subset of) a TrueType font, so Hangul renders on any viewer; the core PDF
fonts have no Hangul at all. The font is ``pdf_font_path`` or the first Hangul-capable font
found in the usual places (fonts-nanum, Noto CJK). Sensitive claims are masked as on screen:
a piece of paper is the easiest copy to lose.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from issuers.pipeline import KST
from schemas.errors import WalletError
from qr_symbols.images import render_png
from schemas.registry import CertificateType

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    Path("/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/AppleSDGothicNeo.ttc"),
)


class FontUnavailable(WalletError):
    code, status, title = "font_unavailable", 503, "No Korean font for printable copies"


def korean_font(configured: Path | None, candidates: Iterable[Path] = FONT_CANDIDATES) -> Path:
    for path in ([configured] if configured else list(candidates)):
        if path.is_file():
            return path
    raise FontUnavailable("install fonts-nanum or set ECERT_PDF_FONT_PATH to a TTF with Hangul")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "예 (yes)" if value else "아니오 (no)"
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def printable_pdf(
    *, type_def: CertificateType, claims: dict[str, Any], document_number: str | None, verify_url: str | None,
    issued_at: datetime, expires_at: datetime, font_path: Path,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{type_def.name.ko} ({type_def.name.en})")
    pdf.add_font("kr", fname=str(font_path))
    pdf.add_page()
    pdf.set_font("kr", size=20)
    pdf.cell(0, 12, type_def.name.ko, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("kr", size=11)
    pdf.cell(0, 7, type_def.name.en, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.cell(0, 7, f"발급기관 (Issued by): {type_def.agency.ko} / {type_def.agency.en}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"발급일 (Issued): {issued_at.astimezone(KST):%Y-%m-%d}    "
             f"유효기간 (Valid until): {expires_at.astimezone(KST):%Y-%m-%d}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=(60, 120), text_align="LEFT", line_height=7, first_row_as_headings=False) as table:
        for definition in sorted(type_def.claims, key=lambda d: d.order):
            if definition.name not in claims:
                continue
            row = table.row()
            row.cell(f"{definition.label.ko}\n{definition.label.en}")
            row.cell(_value(claims[definition.name]))
    pdf.ln(6)
    if document_number:
        pdf.set_font("kr", size=12)
        pdf.cell(0, 8, f"문서확인번호 (Document check number): {document_number}", new_x="LMARGIN", new_y="NEXT")
    if verify_url:
        pdf.set_font("kr", size=9)
        pdf.cell(0, 6, f"진위확인 (Verify): {verify_url}", new_x="LMARGIN", new_y="NEXT")
        y = pdf.get_y() + 2
        pdf.image(io.BytesIO(render_png(verify_url, box_size=4)), x=pdf.l_margin, y=y, w=40, h=40)
        pdf.set_y(y + 42)
    pdf.set_font("kr", size=8)
    pdf.multi_cell(0, 5, "이 사본은 전자증명서를 출력한 것입니다. 문서확인번호로 진위를 확인하십시오. "
                   "(A printed copy of an electronic certificate; check it with the document check number.)")
    return bytes(pdf.output())
