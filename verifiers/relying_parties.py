"""Relying parties: registration, API-key authentication and what each may ask for.

The API key is random, shown once, and stored only as its sha-256: a database copy does not
let anyone call the API as a bank. Keys are 256-bit random, so an unsalted fast hash is
enough (nothing to brute-force), and lookup by hash needs no scan.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from keys.sd_jwt import ClaimPath
from keys.sealing import Sealer
from schemas.errors import AuthError, Conflict, Forbidden, InvalidInput, NotFound
from schemas.registry import TypeRegistry
from verifiers.claim_selection import restrict, top_level_allowed
from verifiers.models import RelyingParty, RelyingPartyPublic, RelyingPartyRegistryVersion
from verifiers.profiles import PROFILES, DEFAULT_PROFILE
from verifiers.oid4vp.verifier_identity import create_identity

API_KEY_PREFIX = "ecrp_"


@dataclass(frozen=True)
class RelyingPartyRegistered:
    relying_party: RelyingPartyPublic
    #: shown once; only its hash is stored
    api_key: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def parse_allow(specs: Iterable[str]) -> dict[str, list[str]]:
    """``TYPE_ID:claim,claim`` (repeatable) → {type id: [claims]}; nested claims are dotted."""
    allowed: dict[str, list[str]] = {}
    for spec in specs:
        type_id, sep, claims = spec.partition(":")
        names = [c.strip() for c in claims.split(",") if c.strip()]
        if not sep or not type_id.strip() or not names:
            raise InvalidInput(f"--allow takes TYPE_ID:claim,claim, got {spec!r}")
        allowed.setdefault(type_id.strip(), [])
        allowed[type_id.strip()] += [n for n in names if n not in allowed[type_id.strip()]]
    return allowed


def _check_allowed(allowed: Mapping[str, list[str]], registry: TypeRegistry) -> None:
    if not allowed:
        raise InvalidInput("a relying party must be allowed at least one type")
    for type_id, claims in allowed.items():
        type_def = registry.get(type_id)  # UnknownCertificateType for a typo
        for claim in claims:
            try:
                type_def.claim(claim)
            except KeyError:
                raise InvalidInput(f"{type_id} has no claim {claim!r}") from None


def register_relying_party(
    session: Session,
    *,
    name: str,
    allowed: Mapping[str, list[str]],
    purpose: str,
    registry: TypeRegistry,
    sealer: Sealer,
    now: datetime,
    profile: str = DEFAULT_PROFILE,
) -> RelyingPartyRegistered:
    if not name.strip():
        raise InvalidInput("a relying party needs a name")
    if profile not in PROFILES:
        raise InvalidInput(f"unknown profile {profile!r}; one of {sorted(PROFILES)}")
    _check_allowed(allowed, registry)
    identity = create_identity(name=name, sealer=sealer, now=now)
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = RelyingParty(
        id=uuid.uuid4().hex,
        name=name.strip(),
        client_id=identity.client_id,
        allowed={k: list(v) for k, v in allowed.items()},
        purpose=purpose,
        profile=profile,
        created_at=now,
        api_key_sha256=hash_api_key(api_key),
        certificate_der=identity.certificate_der,
        sealed_private_key=identity.sealed_private_key,
    )
    session.add(row)
    session.commit()
    return RelyingPartyRegistered(RelyingPartyPublic.model_validate(row, from_attributes=True), api_key)


def authenticate(session: Session, *, api_key: str) -> RelyingParty:
    row = session.exec(select(RelyingParty).where(RelyingParty.api_key_sha256 == hash_api_key(api_key))).first()
    if row is None or not row.active:
        raise AuthError("unknown or inactive relying-party API key")
    return row


def find_by_client_id(session: Session, *, client_id: str) -> RelyingPartyPublic:
    """For the wallet side: is the client_id of a request a registered relying party?"""
    row = session.exec(select(RelyingParty).where(RelyingParty.client_id == client_id)).first()
    if row is None or not row.active:
        raise NotFound("no registered relying party has this client_id")
    return RelyingPartyPublic.model_validate(row, from_attributes=True)


def list_relying_parties(session: Session) -> list[RelyingPartyPublic]:
    rows = session.exec(select(RelyingParty).order_by(RelyingParty.created_at)).all()
    return [RelyingPartyPublic.model_validate(r, from_attributes=True) for r in rows]


_REGISTRY_VERSION_ID = 1


def registry_version(session: Session) -> int:
    """The current registry version (0 before the first deactivation or rotation)."""
    row = session.get(RelyingPartyRegistryVersion, _REGISTRY_VERSION_ID, populate_existing=True)
    return row.version if row is not None else 0


def _bump_registry_version(session: Session) -> None:
    bump = (
        update(RelyingPartyRegistryVersion)
        .where(col(RelyingPartyRegistryVersion.id) == _REGISTRY_VERSION_ID)
        .values(version=RelyingPartyRegistryVersion.version + 1)  # type: ignore[operator]
    )
    if session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(RelyingPartyRegistryVersion(id=_REGISTRY_VERSION_ID, version=1))
        except IntegrityError:  # created by a concurrent change: bump that row
            session.execute(bump)


def relying_party_by_client_id(session: Session, *, client_id: str) -> RelyingParty:
    """Any registered party, active or not (for administration)."""
    row = session.exec(select(RelyingParty).where(RelyingParty.client_id == client_id)).first()
    if row is None:
        raise NotFound("no relying party has this client_id")
    return row


def deactivate_relying_party(session: Session, *, client_id: str) -> RelyingParty:
    """Turn the party off (its key stops working on every worker within a second); the
    caller commits, together with whatever else ends with it (console sessions, audit)."""
    row = relying_party_by_client_id(session, client_id=client_id)
    row.active = False
    session.add(row)
    _bump_registry_version(session)
    session.flush()
    return row


def rotate_relying_party_key(session: Session, *, client_id: str) -> tuple[RelyingParty, str]:
    """A new API key (returned once); the old one stops working. The caller commits."""
    row = relying_party_by_client_id(session, client_id=client_id)
    if not row.active:
        raise Conflict("a deactivated relying party gets no new key")
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row.api_key_sha256 = hash_api_key(api_key)
    session.add(row)
    _bump_registry_version(session)
    session.flush()
    return row, api_key


@dataclass(frozen=True)
class Registration:
    """What a party registered to see of one type: the one rule "a party sees only the claims
    it is registered for", whether it asks (OpenID4VP), is answered (``/v1/verify``) or scans
    (the QR desk). Names are dotted; an array level means every element."""

    party_name: str
    type_id: str | None
    names: tuple[str, ...]

    def allows(self, path: ClaimPath) -> bool:
        return top_level_allowed(path, self.names)

    def visible(self, claims: dict[str, Any]) -> dict[str, Any]:
        """Only the parts of ``claims`` the party registered for."""
        return restrict(claims, [tuple(name.split(".")) for name in self.names])

    def authorise(self, paths: Iterable[ClaimPath]) -> None:
        """Forbidden unless every path is within the registration."""
        beyond = [list(p) for p in paths if not self.allows(p)]
        if beyond:
            raise Forbidden(f"{self.party_name} is not registered for claims {beyond} of {self.type_id}", claims=beyond)


def registration(relying_party: RelyingParty | RelyingPartyPublic, type_id: str | None, *, required: bool = True) -> Registration:
    """The party's registration for ``type_id``; Forbidden when it has none and ``required``
    (otherwise an empty one: it sees nothing of that type)."""
    names = relying_party.allowed.get(type_id) if type_id is not None else None
    if names is None and required:
        raise Forbidden(f"{relying_party.name} is not registered for {type_id or 'this credential type'}")
    return Registration(relying_party.name, type_id, tuple(names or ()))


def authorise_claims(relying_party: RelyingParty | RelyingPartyPublic, *, type_id: str | None, paths: Iterable[ClaimPath]) -> None:
    """Forbidden unless every path is within what the party registered for this type."""
    registration(relying_party, type_id).authorise(paths)


def public(row: RelyingParty) -> dict[str, Any]:
    return RelyingPartyPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
