"""The page a phone opens from the QR on a printed copy: the document check in Korean and English.

The QR on a printed copy holds `/v1/documents/{number}`. A phone camera opens it in a browser,
which asks for HTML; programs ask for JSON and keep getting the JSON answer. The page says what
the JSON says (genuine, current, type, agency, dates) and nothing about the holder.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from issuers.pipeline import KST

#: no scripts, no other hosts: the page is static text
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

_STATUS_TEXT = {
    "valid": ("유효한 증명서입니다", "This certificate is valid"),
    "expired": ("유효기간이 지난 증명서입니다", "This certificate has expired"),
    "revoked": ("취소된 증명서입니다", "This certificate has been revoked"),
    "suspended": ("효력이 정지된 증명서입니다", "This certificate is suspended"),
}


def wants_html(accept: str | None) -> bool:
    """True when the client lists text/html before (or without) application/json: a browser."""
    if not accept:
        return False
    kinds = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    if "text/html" not in kinds:
        return False
    return "application/json" not in kinds or kinds.index("text/html") < kinds.index("application/json")


def _day(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(KST).strftime("%Y-%m-%d")


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:36rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5}"
        ".verdict{font-size:1.3rem;font-weight:700;padding:.8rem;border-radius:.5rem}"
        ".ok{background:#e6f4ea;color:#185c2b}.bad{background:#fce8e6;color:#8c1d18}"
        "dt{color:#555;font-size:.9rem}dd{margin:0 0 .6rem 0}.en{color:#555}"
        "</style></head><body>" + body + "</body></html>"
    )


def document_page(answer: dict[str, Any]) -> str:
    """HTML for a found document (the dict `issuers.credential_status.document_check` returns)."""
    ko, en = _STATUS_TEXT.get(answer["status"], (answer["status"], answer["status"]))
    verdict_class = "ok" if answer["current"] else "bad"
    rows = [
        ("문서확인번호", "Document check number", escape(answer["document_number"])),
        ("증명서", "Certificate", f"{escape(answer['type_name']['ko'])} <span class=en>({escape(answer['type_name']['en'])})</span>"),
        ("발급기관", "Issued by", f"{escape(answer['agency']['ko'])} <span class=en>({escape(answer['agency']['en'])})</span>"),
        ("발급일", "Issued", _day(answer["issued_at"])),
        ("유효기간", "Valid until", _day(answer["expires_at"])),
    ]
    details = "".join(f"<dt>{k} <span class=en>{e}</span></dt><dd>{v}</dd>" for k, e, v in rows)
    body = (
        "<h1>전자증명서 진위확인 <span class=en>Certificate check</span></h1>"
        f"<p class=\"verdict {verdict_class}\">{ko}<br><span class=en>{en}</span></p>"
        f"<dl>{details}</dl>"
        "<p class=en>이 확인은 증명서가 발급되었고 현재 상태가 어떤지만 알려 줍니다. 보유자에 대한 정보는 표시하지 않습니다."
        "<br>This check shows only that the certificate was issued and its current status; nothing about its holder.</p>"
    )
    return _page("전자증명서 진위확인 / Certificate check", body)


def document_not_found_page(document_number: str) -> str:
    body = (
        "<h1>전자증명서 진위확인 <span class=en>Certificate check</span></h1>"
        "<p class=\"verdict bad\">이 문서확인번호로 발급된 증명서가 없습니다"
        "<br><span class=en>No certificate was issued with this document check number</span></p>"
        f"<dl><dt>문서확인번호 <span class=en>Document check number</span></dt><dd>{escape(document_number)}</dd></dl>"
    )
    return _page("전자증명서 진위확인 / Certificate check", body)
