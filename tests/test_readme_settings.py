"""The README's configuration table and the settings class cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from wallet_api.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration (environment variables)", 1)[1]
    return section.split("\n## ", 1)[0]


def documented_variables() -> set[str]:
    """ECERT_* names in the first column of the configuration table."""
    names: set[str] = set()
    for line in configuration_section().splitlines():
        if line.startswith("| `ECERT_"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`(ECERT_[A-Z0-9_]+)`", first_cell))
    return names


def setting_variables() -> set[str]:
    return {f"ECERT_{name.upper()}" for name in Settings.model_fields}


def test_every_setting_has_a_row() -> None:
    missing = sorted(setting_variables() - documented_variables())
    assert missing == [], f"settings without a README row: {missing}"


def test_every_row_names_a_setting() -> None:
    unknown = sorted(documented_variables() - setting_variables())
    assert unknown == [], f"README rows naming no setting: {unknown}"
