"""Wires the verifier into the app: trust list, our own issuer's keys, the status checker.

Our own issuer is always trusted for all our types, with keys read from the same database
JWKS we publish (by ``kid``, so a rotated-out key keeps verifying until it is unpublished).
Status lists of our own issuer are fetched in-process: a verifier asking its own server
over HTTP would only add a failure mode (and tests need no network). Every other status
list and JWKS goes through the app's one outbound fetcher (``outbound_wiring``).

Settings: ``trust_list`` (``ECERT_TRUST_LIST``), ``presentation_request_ttl_s``,
``status_cache_s``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.sql import Executable
from sqlmodel import Session

from issuers.pipeline import vct_for
from issuers.status_lists.allocator import STATUS_LIST_PATH_PREFIX
from issuers.status_lists.models import IssuerStatusEntry, IssuerStatusList
from verifiers.compiled_statement import CompiledStatement
from keys.errors import JWSKeyUnknown
from keys.json_document import read_json
from keys.jws import VerificationKey
from schemas.errors import IssuerUntrusted, StatusUnavailable
from schemas.status_list import STATUS_LIST_MEDIA_TYPE, VALID
from verifiers.status_check import OwnStatusReader, StatusListChecker, StatusReference
from verifiers.trust import FetchJson, TrustedIssuer, TrustList, load_trust_list
from verifiers.verifier_services import VerifierServices
from wallet_api.state import AppState
from wallet_api.admin.status_publishing import status_list_token_for
from wallet_api.db.unit_of_work import autocommit

#: how stale "this kid is still published" may be (key material per kid never changes)
KEY_RECHECK_S = 30
MAX_STATUS_LIST_BYTES = 4 << 20


def _http_fetch_json(state: AppState) -> FetchJson:
    """A trust-list issuer's JWKS, through the outbound fetch rules."""

    def fetch(uri: str) -> Any:
        return read_json(state.outbound.get(uri, accept="application/json").text)

    return fetch


def _own_keys(state: AppState, session: Session) -> Callable[[str | None], VerificationKey]:
    cache = state.published_keys

    def lookup(kid: str | None) -> VerificationKey:
        if kid is None:
            raise JWSKeyUnknown("our credentials always name their kid")
        # the unit of work's own session serves the occasional re-check: no extra checkout
        return cache.verification_key(lambda: nullcontext(session), kid, now=state.clock.now())

    return lookup


def _status_fetch(state: AppState) -> Callable[[str], tuple[str, str]]:
    own_prefix = state.settings.issuer_id + STATUS_LIST_PATH_PREFIX

    def fetch(uri: str) -> tuple[str, str]:
        if uri.startswith(own_prefix):
            with autocommit(state.engine) as session:
                token, _ttl = status_list_token_for(
                    state, session, uri_id=uri[len(own_prefix) :], now=state.clock.epoch()
                )
            return STATUS_LIST_MEDIA_TYPE, token
        fetched = state.outbound.get(uri, accept=STATUS_LIST_MEDIA_TYPE, max_bytes=MAX_STATUS_LIST_BYTES)
        return fetched.content_type, fetched.text

    return fetch


def _status_key_resolver(state: AppState, static: TrustList) -> Callable[[dict[str, Any], dict[str, Any]], VerificationKey]:
    """The key for a status list token: its issuer's, by ``iss`` (or the issuer ``sub`` lies under)."""
    issuer_id = state.settings.issuer_id

    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> VerificationKey:
        kid = header.get("kid")
        iss = payload.get("iss")
        sub = payload.get("sub") if isinstance(payload.get("sub"), str) else ""
        if iss == issuer_id or (iss is None and sub.startswith(issuer_id + "/")):
            if not isinstance(kid, str):
                raise JWSKeyUnknown("status list token names no kid")
            return state.published_keys.verification_key(
                lambda: autocommit(state.engine), kid, now=state.clock.now()
            )
        for issuer in static.issuers():
            if iss == issuer.iss or (iss is None and sub.startswith(issuer.iss.rstrip("/") + "/")):
                return issuer.key(kid if isinstance(kid, str) else None)
        raise IssuerUntrusted("the status list's issuer is not on the trust list")

    return resolve


def _own_status_statement(dialect_name: str) -> Executable:
    lists, entries = IssuerStatusList.__table__, IssuerStatusEntry.__table__  # type: ignore[attr-defined]
    joined = lists.outerjoin(entries, (entries.c.list_id == lists.c.id) & (entries.c.idx == bindparam("idx")))
    return select(lists.c.size, entries.c.status).select_from(joined).where(lists.c.uri_id == bindparam("uri_id"))


#: compiled once: building and compiling a select per verification cost more than the read
_OWN_STATUS = CompiledStatement(_own_status_statement)


def _own_status(issuer_id: str) -> OwnStatusReader:
    """Our own lists' entries straight from the database, in the unit of work's session (one
    indexed read): a revocation is seen by the next verification on any worker, not after a
    cached list expires."""
    own_prefix = issuer_id + STATUS_LIST_PATH_PREFIX

    def read(session: Session, reference: StatusReference) -> int | None:
        if not reference.uri.startswith(own_prefix):
            return None
        row = _OWN_STATUS.execute(session, {"uri_id": reference.uri[len(own_prefix):], "idx": reference.idx}).first()
        if row is None or not 0 <= reference.idx < row[0]:
            raise StatusUnavailable(f"{reference.uri} entry {reference.idx} is not one of our status lists")
        return VALID if row[1] is None else int(row[1])

    return read


def build_verifier_services(
    state: AppState,
    *,
    trust_list: TrustList | None = None,
    trust_list_path: Path | None = None,
    fetch_status: Callable[[str], tuple[str, str]] | None = None,
    fetch_json: FetchJson | None = None,
) -> VerifierServices:
    """The verifier's services for this app (built once at start-up; tests pass overrides)."""
    settings = state.settings
    if trust_list is None:
        path = trust_list_path or settings.trust_list
        trust_list = (
            load_trust_list(Path(path), fetch=fetch_json or _http_fetch_json(state), clock=state.clock.epoch)
            if path
            else TrustList()
        )
    static = trust_list
    own_types = {vct_for(settings.issuer_id, t.id): t.id for t in state.registry}

    def trust_for(session: Session) -> TrustList:
        return static.with_issuer(TrustedIssuer(settings.issuer_id, _own_keys(state, session), own_types))

    checker = StatusListChecker(
        fetch_status or _status_fetch(state),
        _status_key_resolver(state, static),
        state.clock.epoch,
        settings.status_cache_s,
        leeway_s=settings.clock_skew_s,
    )
    services = VerifierServices(
        trust_for=trust_for,
        status_checker=checker,
        registry=state.registry,
        sealer=state.sealer,
        base_url=settings.issuer_id,
        request_ttl_s=settings.presentation_request_ttl_s,
        result_retention_s=settings.presentation_result_retention_s,
        own_status=_own_status(settings.issuer_id),
    )
    return services
