"""Every outcome code the console can show has a sentence for the clerk in Korean and English."""

from __future__ import annotations

import re
from pathlib import Path

import wallet_api
from tests.error_tree import all_error_classes
from wallet_api.console.pages import LANGS, outcome_messages

STATIC = Path(wallet_api.__file__).parent / "console" / "static"


def _error_codes() -> set[str]:
    return {cls.code for cls in all_error_classes()}


def _codes_named_in_scripts() -> set[str]:
    """Codes the scripts pass to codeLine(...) as a literal first argument, e.g. "partial_match",
    and the codes inside `|| "..."` fallbacks."""
    found: set[str] = set()
    for script in STATIC.glob("*.js"):
        if script.name == "jsQR.js":
            continue
        text = script.read_text(encoding="utf-8")
        found.update(re.findall(r'codeLine\(\s*"([a-z_]+)"', text))
        found.update(re.findall(r'codeLine\([^,)]*\|\|\s*"([a-z_]+)"', text))
        if "codeLine(`result_${" in text:
            found.update({"result_collected", "result_purged"})
    return found


def test_every_error_code_has_a_sentence_in_both_languages() -> None:
    messages = outcome_messages()
    codes = _error_codes()
    assert len(codes) > 50  # the walk found the tree
    for lang in LANGS:
        missing = sorted(codes - set(messages[lang]))
        assert missing == [], f"{lang}: no sentence for {missing}"


def test_codes_the_console_names_itself_have_sentences() -> None:
    messages = outcome_messages()
    named = _codes_named_in_scripts() | {"not_presented", "outcome_unknown"}
    assert {"partial_match", "invalid", "error"} <= named
    for lang in LANGS:
        assert named <= set(messages[lang]), sorted(named - set(messages[lang]))


def test_sentences_are_sentences_not_codes() -> None:
    messages = outcome_messages()
    for lang in LANGS:
        for code, sentence in messages[lang].items():
            assert sentence.strip() and sentence != code and "_" not in sentence, (lang, code)
    # the Korean screen reads Korean
    assert all(re.search(r"[가-힣]", sentence) for sentence in messages["ko"].values())
    assert messages["ko"]["partial_match"] == "요청한 항목 중 일부가 제출되지 않았습니다"
