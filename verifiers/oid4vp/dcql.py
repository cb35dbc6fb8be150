"""DCQL (OpenID4VP 1.0 §6): the subset this verifier accepts, and matching results to it.

Accepted: ``credentials`` (each ``id``, ``format: "dc+sd-jwt"``, ``meta.vct_values``,
optional ``claims`` with ``path``, optional ``multiple`` and
``require_cryptographic_holder_binding``). Refused rather than ignored, so a relying party
never believes a constraint was applied when it was not: ``credential_sets``,
``claim_sets``, ``trusted_authorities``, claim ``values``, and holder binding switched off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from keys.sd_jwt import ClaimPath
from schemas.errors import InvalidInput
from verifiers.claim_selection import has_path

SD_JWT_VC_FORMAT = "dc+sd-jwt"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CREDENTIAL_QUERIES = 10
MAX_CLAIMS = 64
MAX_PATH_STEPS = 16


@dataclass(frozen=True)
class CredentialQuery:
    id: str
    vct_values: tuple[str, ...]
    #: None: the query names no claims, which in DCQL means every claim
    claims: tuple[ClaimPath, ...] | None
    multiple: bool


@dataclass(frozen=True)
class DcqlQuery:
    credentials: tuple[CredentialQuery, ...]

    def by_id(self) -> dict[str, CredentialQuery]:
        return {q.id: q for q in self.credentials}


def _path(raw: Any, where: str) -> ClaimPath:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_PATH_STEPS:
        raise InvalidInput(f"{where}.path must be a non-empty array")
    steps: list[str | int | None] = []
    for step in raw:
        if step is None or isinstance(step, str) or (isinstance(step, int) and not isinstance(step, bool) and step >= 0):
            steps.append(step)
        else:
            raise InvalidInput(f"{where}.path steps are strings, non-negative integers or null")
    if not isinstance(steps[0], str):
        raise InvalidInput(f"{where}.path starts with a claim name")
    return tuple(steps)


def _credential(raw: Any, where: str) -> CredentialQuery:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be an object")
    unsupported = raw.keys() & {"claim_sets", "trusted_authorities"}
    if unsupported:
        raise InvalidInput(f"{where}: {sorted(unsupported)} are not supported by this verifier")
    query_id = raw.get("id")
    if not isinstance(query_id, str) or not _ID.match(query_id):
        raise InvalidInput(f"{where}.id must be 1-64 characters of A-Z a-z 0-9 _ -")
    if raw.get("format") != SD_JWT_VC_FORMAT:
        raise InvalidInput(f"{where}.format must be {SD_JWT_VC_FORMAT!r}")
    meta = raw.get("meta")
    vcts = meta.get("vct_values") if isinstance(meta, dict) else None
    if not isinstance(vcts, list) or not vcts or not all(isinstance(v, str) and v for v in vcts):
        raise InvalidInput(f"{where}.meta.vct_values must be a non-empty array of strings")
    if raw.get("require_cryptographic_holder_binding", True) is not True:
        raise InvalidInput(f"{where}: this verifier always requires holder binding")
    multiple = raw.get("multiple", False)
    if not isinstance(multiple, bool):
        raise InvalidInput(f"{where}.multiple must be a boolean")
    claims: tuple[ClaimPath, ...] | None = None
    if "claims" in raw:
        raw_claims = raw["claims"]
        if not isinstance(raw_claims, list) or not raw_claims or len(raw_claims) > MAX_CLAIMS:
            raise InvalidInput(f"{where}.claims must be a non-empty array")
        parsed = []
        for i, claim in enumerate(raw_claims):
            if not isinstance(claim, dict) or "values" in claim:
                raise InvalidInput(f"{where}.claims[{i}] must be an object with a path (values are not supported)")
            parsed.append(_path(claim.get("path"), f"{where}.claims[{i}]"))
        claims = tuple(parsed)
    return CredentialQuery(query_id, tuple(vcts), claims, multiple)


def parse_dcql(raw: Any) -> DcqlQuery:
    if not isinstance(raw, dict):
        raise InvalidInput("dcql_query must be an object")
    if "credential_sets" in raw:
        raise InvalidInput("credential_sets are not supported by this verifier")
    credentials = raw.get("credentials")
    if not isinstance(credentials, list) or not credentials or len(credentials) > MAX_CREDENTIAL_QUERIES:
        raise InvalidInput(f"dcql_query.credentials must be an array of 1-{MAX_CREDENTIAL_QUERIES} queries")
    parsed = tuple(_credential(c, f"dcql_query.credentials[{i}]") for i, c in enumerate(credentials))
    ids = [q.id for q in parsed]
    if len(set(ids)) != len(ids):
        raise InvalidInput("credential query ids must be unique")
    return DcqlQuery(parsed)


@dataclass(frozen=True)
class QueryMatch:
    """How a verified presentation answers one credential query."""

    #: "full": the asked type with every asked claim; "partial": the type, some claims missing;
    #: "none": another type
    match: str
    missing_claims: tuple[ClaimPath, ...]


def match(query: CredentialQuery, *, vct: str | None, claims: dict[str, Any], every_claim: Iterable[ClaimPath]) -> QueryMatch:
    """``every_claim``: the paths standing for "all claims" when the query names none."""
    if vct not in query.vct_values:
        return QueryMatch("none", ())
    wanted = query.claims if query.claims is not None else tuple(every_claim)
    missing = tuple(p for p in wanted if not has_path(claims, p))
    return QueryMatch("partial" if missing else "full", missing)
