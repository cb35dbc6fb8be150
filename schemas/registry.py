"""The certificate types this service knows, loaded from ``schemas/types/*.toml`` at start-up.

Adding a type is adding a file: the registry is looked up by stable id, never branched on.
A file that does not validate stops the start-up with an error naming the file and the
field, because a half-loaded registry would silently stop issuing a certificate.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.errors import UnknownCertificateType
from schemas.type_models import (
    Agency,
    CertificateType,
    ClaimDefinition,
    ClaimType,
    DeriveRule,
    Localized,
)

__all__ = [
    "Agency",
    "CertificateType",
    "ClaimDefinition",
    "ClaimType",
    "DeriveRule",
    "Localized",
    "TypeFileError",
    "TypeRegistry",
    "default_types_dir",
    "load_registry",
]

TYPE_FILE_SUFFIX = ".toml"
SYNTAX_FIELD = "(syntax)"


class TypeFileError(Exception):
    """A type file that cannot be loaded; ``field`` is a path such as ``claims[3].type``."""

    def __init__(self, file: Path, field: str, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(f"{file}: {field}: {message}")


class TypeRegistry:
    def __init__(self, types: list[CertificateType]) -> None:
        self._types: dict[str, CertificateType] = {}
        for type_def in sorted(types, key=lambda t: t.id):
            if type_def.id in self._types:
                raise ValueError(f"duplicate certificate type id {type_def.id!r}")
            self._types[type_def.id] = type_def

    @classmethod
    def load(cls, directory: Path) -> TypeRegistry:
        if not directory.is_dir():
            raise TypeFileError(directory, "(directory)", "not a directory of type files")
        files = sorted(directory.glob(f"*{TYPE_FILE_SUFFIX}"))
        return cls([load_type_file(path) for path in files])

    def get(self, type_id: str) -> CertificateType:
        try:
            return self._types[type_id]
        except KeyError:
            raise UnknownCertificateType(
                f"No certificate type {type_id!r}", type_id=type_id
            ) from None

    def all(self) -> list[CertificateType]:
        return list(self._types.values())

    def ids(self) -> list[str]:
        return list(self._types)

    def __iter__(self) -> Iterator[CertificateType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, type_id: object) -> bool:
        return type_id in self._types


def load_type_file(path: Path) -> CertificateType:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise TypeFileError(path, SYNTAX_FIELD, f"invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise TypeFileError(path, SYNTAX_FIELD, f"not UTF-8: {exc}") from exc
    try:
        type_def = CertificateType.model_validate(raw)
    except ValidationError as exc:
        raise _type_file_error(path, exc) from exc
    if type_def.id != path.stem:
        # the id is in every issued credential's vct; the file name is how people find it
        raise TypeFileError(path, "id", f"id {type_def.id!r} differs from file name {path.stem!r}")
    return type_def


def default_types_dir() -> Path:
    return Path(__file__).resolve().parent / "types"


def load_registry(directory: Path | None = None) -> TypeRegistry:
    return TypeRegistry.load(directory if directory is not None else default_types_dir())


def _type_file_error(path: Path, exc: ValidationError) -> TypeFileError:
    errors = exc.errors()
    first = errors[0]
    field = _field_path(first["loc"], first.get("ctx"))
    message = _MESSAGES.get(first["type"], first["msg"])
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s))"
    return TypeFileError(path, field, message)


_MESSAGES = {
    "missing": "required field missing",
    "extra_forbidden": "unknown field (misspelt?)",
}


def _field_path(loc: tuple[int | str, ...], ctx: dict[str, Any] | None) -> str:
    """``("claims", 3, "type")`` → ``claims[3].type``, plus the rule's own relative field."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    relative = (ctx or {}).get("field")
    if relative:
        path = f"{path}.{relative}" if path else str(relative)
    return path or "(file)"
