"""Error codes are unique: one code, one meaning, one HTTP status."""

from __future__ import annotations

from collections import defaultdict

from tests.error_tree import all_error_classes


def test_a_code_belongs_to_one_class_and_its_specialisations() -> None:
    by_code = defaultdict(list)
    for cls in all_error_classes():
        by_code[cls.code].append(cls)
    for code, classes in by_code.items():
        # the class that introduced the code; the others may only specialise it
        root = next(c for c in classes if not any(base.code == code for base in c.__mro__[1:] if hasattr(base, "code")))
        strays = [c.__qualname__ for c in classes if not issubclass(c, root)]
        assert strays == [], f"{code!r} is used by {root.__qualname__} and unrelated {strays}"
        statuses = {c.status for c in classes}
        assert len(statuses) == 1, f"{code!r} answers with {sorted(statuses)}"


def test_class_names_are_unique() -> None:
    names = defaultdict(list)
    for cls in all_error_classes():
        names[cls.__name__].append(cls.__module__)
    assert {n: m for n, m in names.items() if len(m) > 1} == {}
