"""Claims about the person that most certificates open with, built the same way everywhere."""

from __future__ import annotations

from typing import Any

from issuers.synthetic_registry import Person


def identity(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "resident_registration_number": person.rrn,
        "birth_date": person.birth_date,
    }
