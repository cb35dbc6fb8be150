"""HTML pages of the console: small ``string.Template`` files in ``pages/``, every value escaped.

Pages are shells: data that comes from a verification is fetched by the page's script from
the console API and put on screen with ``textContent``, never as markup. What a page needs
at start (messages, CSRF token, templates) travels in one JSON block the script reads; it is
``application/json``, so the Content-Security-Policy can refuse every inline script.
"""

from __future__ import annotations

import html
import json
import tomllib
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from wallet_api.console.request_templates import RequestTemplate

PAGES_DIR = Path(__file__).with_name("pages")
MESSAGES_FILE = Path(__file__).with_name("messages.toml")
OUTCOMES_FILE = Path(__file__).with_name("outcomes.toml")
LANGS = ("ko", "en")
DEFAULT_LANG = "ko"

#: page id → (path, message key of its title, scripts after console.js)
NAV: dict[str, tuple[str, str]] = {
    "bank": ("/console/bank", "nav_bank"),
    "customs": ("/console/customs", "nav_customs"),
    "mobile-id": ("/console/mobile-id", "nav_mobile_id"),
    "documents": ("/console/documents", "nav_documents"),
}
SCRIPTS: dict[str, tuple[str, ...]] = {
    "bank": ("console.js", "bank.js"),
    "customs": ("console.js", "jsQR.js", "scanner.js"),
    "mobile-id": ("console.js", "jsQR.js", "scanner.js"),
    "documents": ("console.js", "documents.js"),
}


@cache
def messages() -> dict[str, dict[str, str]]:
    raw = tomllib.loads(MESSAGES_FILE.read_text(encoding="utf-8"))
    missing = set(raw[LANGS[0]]) ^ set(raw[LANGS[1]])
    if missing:
        raise ValueError(f"messages.toml: keys not in both languages: {sorted(missing)}")
    return raw


@cache
def outcome_messages() -> dict[str, dict[str, str]]:
    """Outcome code → the sentence a clerk reads, per language (the code itself only in details)."""
    raw = tomllib.loads(OUTCOMES_FILE.read_text(encoding="utf-8"))
    missing = set(raw[LANGS[0]]) ^ set(raw[LANGS[1]])
    if missing:
        raise ValueError(f"outcomes.toml: codes not in both languages: {sorted(missing)}")
    return raw


@cache
def _template(name: str) -> Template:
    return Template((PAGES_DIR / name).read_text(encoding="utf-8"))


def pick_lang(requested: str | None) -> str:
    return requested if requested in LANGS else DEFAULT_LANG


def _escaped_messages(lang: str) -> dict[str, str]:
    return {f"m_{key}": html.escape(value) for key, value in messages()[lang].items()}


def _json_block(value: Any) -> str:
    # "<" escaped so no value can close the <script> element it sits in
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _other(lang: str) -> str:
    return LANGS[1] if lang == LANGS[0] else LANGS[0]


def sign_in_page(*, lang: str, csrf: str, notice_key: str | None) -> str:
    notice = ""
    if notice_key is not None:
        notice = f'<p class="notice error" role="alert">{html.escape(messages()[lang][notice_key])}</p>'
    return _template("sign_in.html").substitute(
        _escaped_messages(lang), lang=lang, other_lang=_other(lang), csrf=html.escape(csrf), notice=notice
    )


def _nav(page: str, lang: str, usable: frozenset[str]) -> str:
    links = []
    for page_id, (path, key) in NAV.items():
        if page_id not in usable:
            continue
        current = ' aria-current="page"' if page_id == page else ""
        links.append(f'<a href="{path}"{current}>{html.escape(messages()[lang][key])}</a>')
    return "".join(links)


def _shell(
    page: str, *, lang: str, party_name: str, csrf: str, main: str, config: dict[str, Any], usable: frozenset[str]
) -> str:
    scripts = "\n".join(f'<script src="/console/static/{name}"></script>' for name in SCRIPTS[page])
    config = {"page": page, "lang": lang, "csrf": csrf, "messages": messages()[lang], "outcomes": outcome_messages()[lang], **config}
    return _template("shell.html").substitute(
        _escaped_messages(lang),
        lang=lang,
        other_lang=_other(lang),
        page=page,
        title=html.escape(messages()[lang][NAV[page][1]]),
        party_name=html.escape(party_name),
        nav=_nav(page, lang, usable),
        csrf=html.escape(csrf),
        main=main,
        config=_json_block(config),
        scripts=scripts,
    )


def bank_page(
    *, lang: str, party_name: str, csrf: str, templates: list[RequestTemplate], type_names: dict[str, dict[str, Any]],
    queries: dict[str, Any], usable: frozenset[str],
) -> str:
    options = "".join(
        f'<option value="{html.escape(t.id)}">{html.escape(t.name[lang])}</option>' for t in templates
    )
    main = _template("bank.html").substitute(
        _escaped_messages(lang),
        template_options=options,
        submit_state="" if templates else "disabled",
        no_templates="" if templates else f'<p class="notice">{html.escape(messages()[lang]["no_templates"])}</p>',
    )
    config = {"types": type_names, "templates": queries}
    return _shell("bank", lang=lang, party_name=party_name, csrf=csrf, main=main, config=config, usable=usable)


def scanner_page(
    page: str, *, lang: str, party_name: str, csrf: str, profiles: list[str], labels: dict[str, dict[str, Any]],
    usable: frozenset[str],
) -> str:
    """The customs desk and the mobile-ID check: one scanner, a profile picker for mobile ID."""
    text = messages()[lang]
    picker = ""
    if profiles:
        options = "".join(
            f'<option value="{html.escape(p)}">{html.escape(text.get("profile_" + p, p))}</option>' for p in profiles
        )
        picker = f'<label class="row-label">{html.escape(text["profile"])}<select id="profile">{options}</select></label>'
    heading = text["customs_title"] if page == "customs" else text["mobile_id_title"]
    main = _template("scanner.html").substitute(_escaped_messages(lang), heading=html.escape(heading), profile_picker=picker)
    desk = "customs" if page == "customs" else "mobile_id"
    return _shell(
        page, lang=lang, party_name=party_name, csrf=csrf, main=main, config={"desk": desk, "labels": labels}, usable=usable
    )


def documents_page(*, lang: str, party_name: str, csrf: str, usable: frozenset[str]) -> str:
    main = _template("documents.html").substitute(_escaped_messages(lang))
    return _shell("documents", lang=lang, party_name=party_name, csrf=csrf, main=main, config={}, usable=usable)
