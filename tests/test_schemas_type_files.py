"""Broken type files are refused with an error naming the file and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from schemas.registry import TypeFileError, TypeRegistry, load_registry

VALID = '''\
id = "sample_type"
version = 1
delivery = "sd-jwt-vc"
adapter = "sample_adapter"
status_family = "sample"
validity_days = 90
name = { ko = "견본", en = "Sample" }
description = { ko = "견본 증명서", en = "Sample certificate" }
agency = { id = "mois", ko = "행정안전부", en = "Ministry of the Interior and Safety" }

[[claims]]
name = "name"
type = "string"
order = 1
label = { ko = "성명", en = "Name" }
example = "홍길동"

[[claims]]
name = "birth_date"
type = "date"
order = 2
label = { ko = "생년월일", en = "Date of birth" }
example = "1990-01-01"

[[claims]]
name = "age_over_19"
type = "boolean"
derive = { rule = "age_over", years = 19, from = "birth_date" }
order = 3
label = { ko = "만 19세 이상", en = "Aged 19 or over" }

[[claims]]
name = "members"
type = "array"
order = 4
label = { ko = "구성원", en = "Members" }

[claims.items]
name = "member"
type = "object"
order = 1
label = { ko = "구성원", en = "Member" }

[[claims.items.properties]]
name = "name"
type = "string"
order = 1
label = { ko = "성명", en = "Name" }
example = "김영희"

[[claims.items.properties]]
name = "resident_registration_number"
type = "string"
sensitive = true
format = "rrn"
order = 2
label = { ko = "주민등록번호", en = "Resident registration number" }
example = "900101-2234567"
'''


def replace(old: str, new: str) -> Callable[[str], str]:
    def transform(text: str) -> str:
        assert text.count(old) == 1, f"fixture snippet not unique: {old!r}"
        return text.replace(old, new)

    return transform


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


BROKEN: list[tuple[str, Callable[[str], str], str]] = [
    ("toml syntax", replace('version = 1', 'version = = 1'), "(syntax)"),
    ("unterminated string", replace('example = "홍길동"', 'example = "홍길동'), "(syntax)"),
    ("missing top-level field", replace('validity_days = 90\n', ''), "validity_days"),
    ("missing claim label", replace('label = { ko = "생년월일", en = "Date of birth" }\n', ''),
     "claims[1].label"),
    ("missing english label", replace('{ ko = "생년월일", en = "Date of birth" }', '{ ko = "생년월일" }'),
     "claims[1].label.en"),
    ("empty claims", lambda text: text.split("[[claims]]")[0] + "claims = []\n", "claims"),
    ("string for integer", replace('validity_days = 90', 'validity_days = "90"'), "validity_days"),
    ("unknown claim type", replace('type = "date"', 'type = "datetime"'), "claims[1].type"),
    ("string for boolean", replace('sensitive = true', 'sensitive = "yes"'),
     "claims[3].items.properties[1].sensitive"),
    ("unknown delivery", replace('delivery = "sd-jwt-vc"', 'delivery = "pdf"'), "delivery"),
    ("zero validity", replace('validity_days = 90', 'validity_days = 0'), "validity_days"),
    ("unknown top-level field", replace('version = 1\n', 'version = 1\ncolour = "blue"\n'), "colour"),
    ("misspelt claim field", replace('type = "date"\n', 'type = "date"\nsensitve = true\n'),
     "claims[1].sensitve"),
    ("misspelt nested field", replace('name = "member"\n', 'name = "member"\nlabl = "x"\n'),
     "claims[3].items.labl"),
    ("derive from missing claim", replace('from = "birth_date"', 'from = "date_of_birth"'),
     "claims[2].derive.from"),
    ("derive from non-date claim", replace('from = "birth_date"', 'from = "name"'),
     "claims[2].derive.from"),
    ("derive on a non-boolean", replace('type = "boolean"', 'type = "string"'), "claims[2].derive"),
    ("unknown derive rule", replace('rule = "age_over"', 'rule = "age_under"'),
     "claims[2].derive.rule"),
    ("id differs from file name", replace('id = "sample_type"', 'id = "other_type"'), "id"),
    ("id not snake_case", replace('id = "sample_type"', 'id = "Sample-Type"'), "id"),
    ("duplicate claim name", replace('name = "birth_date"', 'name = "name"'), "claims[1].name"),
    ("duplicate nested name", replace('name = "resident_registration_number"', 'name = "name"'),
     "claims[3].items.properties[1].name"),
    ("duplicate order", replace('order = 3\n', 'order = 1\n'), "claims[2].order"),
    ("array without items",
     lambda text: text.split("[claims.items]")[0], "claims[3].items"),
    ("object without properties",
     lambda text: text.split("[[claims.items.properties]]")[0], "claims[3].items.properties"),
    ("properties on a string", append(
        '\n[[claims]]\nname = "x"\ntype = "string"\norder = 9\nlabel = { ko = "x", en = "x" }\n'
        'properties = [{ name = "y", type = "string", order = 1, label = { ko = "y", en = "y" } }]\n'),
     "claims[4].properties"),
    ("example of the wrong type", replace('example = "1990-01-01"', 'example = 19900101'),
     "claims[1].example"),
    ("bare TOML date as example", replace('example = "1990-01-01"', 'example = 1990-01-01'),
     "claims[1].example"),
    ("example not matching its format", replace('"900101-2234567"', '"9001012"'),
     "claims[3].items.properties[1].example"),
    ("nested derive from missing claim", append(
        '\n[[claims]]\nname = "head"\ntype = "object"\norder = 5\nlabel = { ko = "세대주", en = "Head" }\n'
        'properties = [\n'
        '  { name = "name", type = "string", order = 1, label = { ko = "성명", en = "Name" } },\n'
        '  { name = "adult", type = "boolean", order = 2, label = { ko = "성인", en = "Adult" },'
        ' derive = { rule = "age_over", years = 19, from = "birth_date" } },\n]\n'),
     "claims[4].properties[1].derive.from"),
]


@pytest.mark.parametrize(
    ("transform", "field"), [(t, f) for _, t, f in BROKEN], ids=[d for d, _, _ in BROKEN]
)
def test_broken_file_names_file_and_field(
    tmp_path: Path, transform: Callable[[str], str], field: str
) -> None:
    path = tmp_path / "sample_type.toml"
    path.write_text(transform(VALID), encoding="utf-8")
    with pytest.raises(TypeFileError) as caught:
        TypeRegistry.load(tmp_path)
    error = caught.value
    assert error.file == path
    assert error.field == field
    assert str(path) in str(error) and field in str(error)
    assert error.message


def test_the_valid_fixture_loads(tmp_path: Path) -> None:
    (tmp_path / "sample_type.toml").write_text(VALID, encoding="utf-8")
    registry = load_registry(tmp_path)
    assert registry.get("sample_type").claim("members.resident_registration_number").sensitive


def test_one_bad_file_among_good_ones_is_the_one_named(tmp_path: Path) -> None:
    for stem in ("a_type", "b_type", "c_type"):
        (tmp_path / f"{stem}.toml").write_text(
            VALID.replace('"sample_type"', f'"{stem}"'), encoding="utf-8"
        )
    (tmp_path / "b_type.toml").write_text(
        VALID.replace('"sample_type"', '"b_type"').replace('type = "date"', 'type = 3'),
        encoding="utf-8",
    )
    with pytest.raises(TypeFileError) as caught:
        TypeRegistry.load(tmp_path)
    assert caught.value.file.name == "b_type.toml"
    assert caught.value.field == "claims[1].type"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "sample_type.toml"
    path.write_bytes(VALID.encode("euc-kr"))
    with pytest.raises(TypeFileError) as caught:
        TypeRegistry.load(tmp_path)
    assert caught.value.file == path
    assert caught.value.field == "(syntax)"


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(TypeFileError) as caught:
        TypeRegistry.load(tmp_path / "nope")
    assert caught.value.file == tmp_path / "nope"


def test_other_files_in_the_directory_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "sample_type.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / ".hidden").write_text("ready")
    (tmp_path / "notes.md").write_text("# not a type")
    assert len(TypeRegistry.load(tmp_path)) == 1
