"""The status check: is the credential's entry in its issuer's Token Status List VALID?

Follows draft-ietf-oauth-status-list §8: fetch the list at ``status.status_list.uri``, check
its media type, signature (issuer trust comes from the injected key resolver), ``typ``,
``sub`` and ``exp``, then read entry ``idx``. Every way the list can be missing, stale or
wrong is StatusUnavailable: a verifier that cannot learn the status must not assume VALID.

Verified lists are cached per URI for min(``ttl``, ``max_cache_s``) seconds and never past
their ``exp``. The cache is a plain per-process map of public data: losing it only costs a
re-fetch. Verifiers that work offline (a customs desk that lost its network) keep the
tokens from ``cached_statuses()`` and restore them with ``load_token``; ``check(...,
offline=True)`` then uses any cached list that has not expired, however old its ``ttl``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from keys.errors import KeyLayerError
from keys.jws import VerificationKey, check_header, parse_compact, verify_compact
from schemas.errors import (
    CredentialRevoked,
    CredentialSuspended,
    Malformed,
    StatusUnavailable,
    WalletError,
)
from schemas.status_list import (
    INVALID,
    STATUS_LIST_JWT_TYP,
    STATUS_LIST_MEDIA_TYPE,
    SUSPENDED,
    VALID,
    DecodedStatusList,
    decode_status_list,
)

if TYPE_CHECKING:
    from sqlmodel import Session

#: a 2^20-entry 8-bit list compresses to well under this; anything larger is refused unparsed
MAX_TOKEN_CHARS: int = 4 << 20
DEFAULT_MAX_CACHE_S: int = 300
DEFAULT_LEEWAY_S: int = 60

#: uri → (content type, body); may raise anything, which becomes StatusUnavailable
Fetch = Callable[[str], tuple[str, str]]
#: (header, unverified payload) → the key trusted to sign that issuer's status lists
StatusListKeyResolver = Callable[[dict[str, Any], dict[str, Any]], VerificationKey]
Clock = Callable[[], int]


@dataclass(frozen=True)
class StatusResult:
    status: int
    list_uri: str
    idx: int
    fetched_at: int
    #: when the status information was produced: the list token's ``iat``, or the time of
    #: the database read for the verifier's own issuer
    produced_at: int


@dataclass(frozen=True)
class CachedStatusList:
    """A verified list: ``token`` is kept so an offline verifier can persist and reload it."""

    uri: str
    token: str
    statuses: DecodedStatusList
    fetched_at: int
    #: the token's ``iat``: when the statuses in it were true
    issued_at: int
    #: use without re-fetching until this time (fetched_at + min(ttl, max_cache_s))
    fresh_until: int
    #: the list's own ``exp``; None when the issuer set none
    expires_at: int | None


@dataclass(frozen=True)
class StatusReference:
    uri: str
    idx: int


def parse_status_claim(status_claim: Any) -> StatusReference:
    """The credential's ``status`` member; a bad one is the credential's fault (Malformed)."""
    status_list = status_claim.get("status_list") if isinstance(status_claim, dict) else None
    if not isinstance(status_list, dict):
        raise Malformed("status must hold a status_list object")
    idx, uri = status_list.get("idx"), status_list.get("uri")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise Malformed("status_list.idx must be a non-negative integer")
    if not isinstance(uri, str) or not uri:
        raise Malformed("status_list.uri must be a non-empty string")
    return StatusReference(uri=uri, idx=idx)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _optional_int(payload: dict[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatusUnavailable(f"status list token {name} must be an integer")
    return value


def _required_int(payload: dict[str, Any], name: str) -> int:
    value = _optional_int(payload, name)
    if value is None:
        raise StatusUnavailable(f"status list token has no {name}")
    return value


class StatusListChecker:
    def __init__(
        self,
        fetch: Fetch,
        key_resolver: StatusListKeyResolver,
        clock: Clock,
        max_cache_s: int = DEFAULT_MAX_CACHE_S,
        *,
        leeway_s: int = DEFAULT_LEEWAY_S,
    ) -> None:
        self._fetch = fetch
        self._key_resolver = key_resolver
        self._clock = clock
        self._max_cache_s = max_cache_s
        self._leeway_s = leeway_s
        self._cache: dict[str, CachedStatusList] = {}

    def check(self, status_claim: dict[str, Any], *, offline: bool = False) -> StatusResult:
        """Return the VALID result or raise CredentialRevoked / CredentialSuspended /
        StatusUnavailable (Malformed when the claim itself is malformed)."""
        reference = parse_status_claim(status_claim)
        now = self._clock()
        cached = self._usable(reference.uri, now, offline=offline)
        if cached is None:
            if offline:
                raise StatusUnavailable(f"no unexpired copy of status list {reference.uri} is cached")
            cached = self.refresh(reference.uri)
        return self._read(cached, reference)

    def refresh(self, uri: str) -> CachedStatusList:
        """Fetch, verify and cache the list at ``uri`` now (also used to pre-load lists)."""
        try:
            content_type, body = self._fetch(uri)
        except Exception as exc:  # noqa: BLE001 - any transport failure means the status is unknown
            raise StatusUnavailable(f"status list {uri} could not be fetched") from exc
        if not isinstance(content_type, str) or _media_type(content_type) != STATUS_LIST_MEDIA_TYPE:
            raise StatusUnavailable(f"status list {uri} is not {STATUS_LIST_MEDIA_TYPE}")
        return self.load_token(uri, body)

    def load_token(self, uri: str, token: str, *, fetched_at: int | None = None) -> CachedStatusList:
        """Verify a status list token obtained for ``uri`` and cache it."""
        now = self._clock()
        fetched_at = now if fetched_at is None else fetched_at
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise StatusUnavailable(f"status list {uri} is not a token of acceptable size")
        payload = self._verified_payload(uri, token.strip())
        if payload.get("sub") != uri:
            raise StatusUnavailable(f"status list sub does not match {uri}")
        iat = _required_int(payload, "iat")
        expires_at = _optional_int(payload, "exp")
        ttl = _optional_int(payload, "ttl")
        if iat > now + self._leeway_s:
            raise StatusUnavailable(f"status list {uri} is issued in the future")
        if expires_at is not None and expires_at <= now:
            raise StatusUnavailable(f"status list {uri} has expired")
        if ttl is not None and ttl <= 0:
            raise StatusUnavailable(f"status list {uri} has a non-positive ttl")
        try:
            statuses = decode_status_list(payload.get("status_list"))
        except Malformed as exc:
            raise StatusUnavailable(f"status list {uri}: {exc.detail}") from exc
        keep_s = self._max_cache_s if ttl is None else min(ttl, self._max_cache_s)
        entry = CachedStatusList(
            uri=uri,
            token=token.strip(),
            statuses=statuses,
            fetched_at=fetched_at,
            issued_at=iat,
            fresh_until=fetched_at + keep_s,
            expires_at=expires_at,
        )
        self._cache[uri] = entry
        return entry

    def cached_statuses(self) -> Mapping[str, CachedStatusList]:
        """A read-only view of the verified lists held, by URI (to persist for offline use)."""
        return MappingProxyType(dict(self._cache))

    def _verified_payload(self, uri: str, token: str) -> dict[str, Any]:
        try:
            parsed = parse_compact(token)
            # refuse alg none / header-supplied keys before the resolver sees the header
            check_header(parsed.unverified_header)
            key = self._key_resolver(parsed.unverified_header, parsed.unverified_claims())
            verified = verify_compact(parsed, key, expected_typ=STATUS_LIST_JWT_TYP)
        except (KeyLayerError, WalletError) as exc:
            # an unknown signer, a bad signature and a mangled token all leave the status unknown
            raise StatusUnavailable(f"status list {uri} failed verification: {exc}") from exc
        return verified.payload

    def _usable(self, uri: str, now: int, *, offline: bool) -> CachedStatusList | None:
        cached = self._cache.get(uri)
        if cached is None or (cached.expires_at is not None and cached.expires_at <= now):
            return None
        if not offline and now >= cached.fresh_until:
            return None
        return cached

    def issued_at(self, uri: str) -> int | None:
        """The ``iat`` of the cached list at ``uri`` (what a refusal was judged on)."""
        cached = self._cache.get(uri)
        return cached.issued_at if cached is not None else None

    @staticmethod
    def _read(cached: CachedStatusList, reference: StatusReference) -> StatusResult:
        if reference.idx >= len(cached.statuses):
            raise StatusUnavailable(f"index {reference.idx} is outside status list {reference.uri}")
        return judge_status(
            cached.statuses.status_at(reference.idx), reference, fetched_at=cached.fetched_at, produced_at=cached.issued_at
        )


#: (session, reference) -> the entry's status when this verifier is the list's issuer and
#: reads it from its own database (the authority), else None (use the published list)
OwnStatusReader = Callable[["Session", StatusReference], "int | None"]


def judge_status(status: int, reference: StatusReference, *, fetched_at: int, produced_at: int) -> StatusResult:
    """VALID as a result; anything else as the refusal it means."""
    if status == INVALID:
        raise CredentialRevoked(f"entry {reference.idx} of {reference.uri} is revoked")
    if status == SUSPENDED:
        raise CredentialSuspended(f"entry {reference.idx} of {reference.uri} is suspended")
    if status != VALID:
        # 0x3 and the wider values are application specific: unknown means not VALID
        raise StatusUnavailable(f"entry {reference.idx} of {reference.uri} has unknown status {status}")
    return StatusResult(status=status, list_uri=reference.uri, idx=reference.idx, fetched_at=fetched_at, produced_at=produced_at)
