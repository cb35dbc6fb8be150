"""The trust list: which issuers, with which keys, are trusted for which credential types.

A file (TOML or JSON, chosen by suffix) configured by the operator::

    [[issuers]]
    iss = "https://test-issuer.example"
    jwks = { keys = [ { kty = "EC", crv = "P-256", x = "…", y = "…", kid = "k1" } ] }
    # or: jwks_uri = "https://test-issuer.example/.well-known/jwks.json"
    # vct values trusted without a type of ours (no display labels):
    vcts = ["urn:example:pid"]
    # our certificate type id → the vct this issuer uses for it:
    [issuers.types]
    resident_registration_abstract = "https://test-issuer.example/vct/resident_registration_abstract"

Our own issuer is added by the application (not from the file) with a key source reading
our published JWKS. Keys are looked up by the token's ``kid`` and carry their algorithm:
a ``kid`` the issuer never published is ``signature_invalid``; an ``iss`` not listed, or
listed but not for this ``vct``, is ``issuer_untrusted``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

from keys.errors import JWKInvalid, KeyLayerError
from keys.json_document import read_json
from keys.jws import VerificationKey
from schemas.errors import IssuerUntrusted, SignatureInvalid

#: kid → key; raises KeyLayerError (e.g. JWSKeyUnknown) for a kid it does not know
KeySource = Callable[[str | None], VerificationKey]
#: url → parsed JSON document; any exception means "unavailable"
FetchJson = Callable[[str], Any]


class TrustListInvalid(Exception):
    """The configured trust list cannot be loaded; start-up must stop."""


def keys_from_jwks(jwks: Any) -> dict[str, VerificationKey]:
    """kid → key for every usable key of a JWKS; keys without kid get their thumbprint."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JWKInvalid("a JWKS is an object with a keys array")
    found: dict[str, VerificationKey] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
            continue
        key = VerificationKey.from_jwk(jwk)
        if key.kid is not None:
            found[key.kid] = key
    return found


class StaticKeys:
    """Keys given inline in the trust list."""

    def __init__(self, keys: Mapping[str, VerificationKey]) -> None:
        self._keys = dict(keys)

    def __call__(self, kid: str | None) -> VerificationKey:
        if kid is None:
            # without a kid only an issuer with a single key is unambiguous
            if len(self._keys) == 1:
                return next(iter(self._keys.values()))
            raise SignatureInvalid("the token names no kid and the issuer has several keys")
        key = self._keys.get(kid)
        if key is None:
            raise SignatureInvalid(f"kid {kid!r} is not one of the issuer's keys")
        return key


class JwksUriKeys:
    """Keys from an issuer's JWKS URL, re-fetched on an unknown kid at most once per interval.

    Re-fetching on a miss picks up a rotation without waiting for the cache to age; the
    interval stops a stream of made-up kids from turning us into the issuer's attacker.
    """

    def __init__(self, uri: str, fetch: FetchJson, clock: Callable[[], int], min_refetch_s: int = 60) -> None:
        self._uri = uri
        self._fetch = fetch
        self._clock = clock
        self._min_refetch_s = min_refetch_s
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at: int | None = None
        self._lock = Lock()

    def _refresh(self) -> None:
        now = self._clock()
        if self._fetched_at is not None and now - self._fetched_at < self._min_refetch_s:
            return
        with self._lock:
            self._fetched_at = now
            try:
                self._keys = keys_from_jwks(self._fetch(self._uri))
            except Exception as exc:  # noqa: BLE001 - an unreachable JWKS leaves the kid unknown
                raise SignatureInvalid(f"the issuer's JWKS at {self._uri} is unavailable") from exc

    def __call__(self, kid: str | None) -> VerificationKey:
        if kid is None:
            raise SignatureInvalid("the token names no kid")
        if kid not in self._keys:
            self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise SignatureInvalid(f"kid {kid!r} is not in the issuer's JWKS")
        return key


@dataclass(frozen=True)
class TrustedIssuer:
    iss: str
    keys: KeySource
    #: vct → our type id (None: trusted, but not one of our types)
    types: Mapping[str, str | None] = field(default_factory=dict)

    def type_for(self, vct: str) -> str | None:
        """Our type id for ``vct``; IssuerUntrusted if this issuer is not trusted for it."""
        if vct not in self.types:
            raise IssuerUntrusted(f"{self.iss} is not trusted for {vct}")
        return self.types[vct]

    def key(self, kid: str | None) -> VerificationKey:
        try:
            return self.keys(kid)
        except KeyLayerError as exc:
            raise SignatureInvalid(f"issuer key: {exc}") from None


class TrustList:
    def __init__(self, issuers: Iterable[TrustedIssuer] = ()) -> None:
        self._issuers: dict[str, TrustedIssuer] = {}
        for issuer in issuers:
            self._issuers[issuer.iss] = issuer

    def with_issuer(self, issuer: TrustedIssuer) -> "TrustList":
        """A copy with ``issuer`` added (replacing any entry for the same ``iss``)."""
        return TrustList([*self._issuers.values(), issuer])

    def issuer(self, iss: Any) -> TrustedIssuer:
        found = self._issuers.get(iss) if isinstance(iss, str) else None
        if found is None:
            raise IssuerUntrusted(f"issuer {iss!r} is not on the trust list")
        return found

    def issuers(self) -> list[TrustedIssuer]:
        return list(self._issuers.values())

    def type_for_vct(self, vct: str) -> str | None:
        """Our type id for a vct any trusted issuer uses (for authorising DCQL queries)."""
        for issuer in self._issuers.values():
            type_id = issuer.types.get(vct)
            if type_id is not None:
                return type_id
        return None


def _parse_entry(raw: Any, where: str, fetch: FetchJson | None, clock: Callable[[], int]) -> TrustedIssuer:
    if not isinstance(raw, dict):
        raise TrustListInvalid(f"{where}: an issuer entry is a table")
    iss = raw.get("iss")
    if not isinstance(iss, str) or not iss:
        raise TrustListInvalid(f"{where}.iss: required")
    if ("jwks" in raw) == ("jwks_uri" in raw):
        raise TrustListInvalid(f"{where}: give exactly one of jwks and jwks_uri")
    keys: KeySource
    if "jwks" in raw:
        try:
            keys = StaticKeys(keys_from_jwks(raw["jwks"]))
        except KeyLayerError as exc:
            raise TrustListInvalid(f"{where}.jwks: {exc}") from None
    else:
        if fetch is None:
            raise TrustListInvalid(f"{where}.jwks_uri: no fetcher configured")
        keys = JwksUriKeys(str(raw["jwks_uri"]), fetch, clock)
    types: dict[str, str | None] = {}
    for vct in raw.get("vcts", []):
        if not isinstance(vct, str):
            raise TrustListInvalid(f"{where}.vcts: strings only")
        types[vct] = None
    mapping = raw.get("types", {})
    if not isinstance(mapping, dict):
        raise TrustListInvalid(f"{where}.types: a table of type id = vct")
    for type_id, vct in mapping.items():
        if not isinstance(vct, str):
            raise TrustListInvalid(f"{where}.types.{type_id}: the vct is a string")
        types[vct] = type_id
    unknown = raw.keys() - {"iss", "jwks", "jwks_uri", "vcts", "types", "name"}
    if unknown:
        raise TrustListInvalid(f"{where}: unknown fields {sorted(unknown)}")
    return TrustedIssuer(iss=iss, keys=keys, types=types)


def parse_trust_list(
    document: Any, *, fetch: FetchJson | None = None, clock: Callable[[], int] | None = None
) -> TrustList:
    if not isinstance(document, dict) or not isinstance(document.get("issuers", []), list):
        raise TrustListInvalid("a trust list has an issuers array")
    tick = clock or (lambda: 0)
    return TrustList(
        _parse_entry(raw, f"issuers[{i}]", fetch, tick) for i, raw in enumerate(document.get("issuers", []))
    )


def load_trust_list(
    path: Path, *, fetch: FetchJson | None = None, clock: Callable[[], int] | None = None
) -> TrustList:
    try:
        text = path.read_text(encoding="utf-8")
        document = read_json(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:  # tomllib/json decode errors are ValueErrors
        raise TrustListInvalid(f"{path}: {exc}") from exc
    try:
        return parse_trust_list(document, fetch=fetch, clock=clock)
    except TrustListInvalid as exc:
        raise TrustListInvalid(f"{path}: {exc}") from None
