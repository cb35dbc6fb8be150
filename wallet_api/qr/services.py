"""Builds what the QR code paths need from the app state: keys, status, lookups, profiles.

Our agencies (every agency id in the type registry: "kcs", "knpa", "mois", ...) sign QR
issuer parts with this service's issuer keys, so the resolver maps each agency id to the
published keys of the local database: what the desk needs offline, and the same rows the
JWKS is built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from issuers.customs.declarations import CustomsServices, find_by_issuer_part
from issuers.customs.rates import DEFAULT_RATES_FILE, cached_rate_table
from issuers.customs.rules import DEFAULT_RULES_FILE, cached_rule_book
from issuers.status_lists.allocator import status_list_uri_path
from keys.b64 import b64url_encode
from keys.jwk import thumbprint
from keys.jws import VerificationKey
from keys.store import published_keys
from verifiers.qr.presentation_signatures import IssuerKeyIndex
from verifiers.compiled_statement import CompiledStatement
from verifiers.qr.context import QrServices
from wallet_api.state import AppState
from wallet_api.wiring.verifier import KEY_RECHECK_S
from wallet_api.wallet.models import Device


def agency_ids(state: AppState) -> set[str]:
    return {type_def.agency.id for type_def in state.registry.all()}


@dataclass(frozen=True)
class CachedKeyIndex:
    kids: tuple[str, ...]
    index: IssuerKeyIndex
    #: app-clock second the published set was read
    read_at: int
    #: the earliest publish_until among the keys: the set must be re-read by then
    stale_at: int | None


def issuer_key_index(state: AppState, session: Session, *, max_age_s: float = KEY_RECHECK_S) -> IssuerKeyIndex:
    """The published keys as a resolver, re-read at most every ``max_age_s`` (app clock).

    A key leaves at its ``publish_until`` to the second (the cache goes stale then) or within
    ``max_age_s`` of an operator change, as on the SD-JWT path; a key published since the
    last read is found at once, because a scan that no cached key verifies re-reads
    (``fresh_issuer_keys``). The index is rebuilt only when the set of kids changes:
    parsing keys costs more than the query.
    """
    now = state.clock.epoch()
    cached = state.qr_key_index
    if (
        cached is not None
        and now - cached.read_at < max_age_s
        and (cached.stale_at is None or now < cached.stale_at)
    ):
        return cached.index
    rows = published_keys(session, now=state.clock.now())
    kids = tuple(row.kid for row in rows)
    if cached is not None and cached.kids == kids:
        index = cached.index
    else:
        keys = [VerificationKey.from_jwk(row.public_jwk, kid=row.kid) for row in rows]
        index = IssuerKeyIndex((agency, key) for agency in agency_ids(state) for key in keys)
    ends = [int(row.publish_until.timestamp()) for row in rows if row.publish_until is not None]
    state.qr_key_index = CachedKeyIndex(kids, index, now, min(ends, default=None))  # atomic under the GIL
    return index


def _device_revoked_statement(dialect_name: str) -> Executable:
    return select(col(Device.revoked_at)).where(col(Device.jkt) == bindparam("jkt")).limit(1)


_DEVICE_REVOKED = CompiledStatement(_device_revoked_statement)


def _device_state(session: Session, jwk: dict[str, str]) -> str:
    # one column through the compiled statement: this runs on every scan
    row = _DEVICE_REVOKED.execute(session, {"jkt": thumbprint(jwk)}).first()
    if row is None:
        return "unknown"
    return "revoked" if row[0] is not None else "active"


def _declaration_state(session: Session, digest: bytes) -> str:
    found = find_by_issuer_part(session, digest=digest)
    if found is None:
        return "unknown"
    return "superseded" if found.superseded else "current"


def qr_services(state: AppState, session: Session) -> QrServices:
    own = agency_ids(state)
    base = state.settings.issuer_id

    def status_uri(iss: str, list_id: bytes) -> str | None:
        return base + status_list_uri_path(b64url_encode(list_id)) if iss in own else None

    return QrServices(
        issuer_keys=issuer_key_index(state, session),
        fresh_issuer_keys=lambda: issuer_key_index(state, session, max_age_s=0),
        device_key_from_jwk=VerificationKey.from_jwk,
        status_checker=state.verifier.status_checker,
        own_status=state.verifier.own_status,
        status_uri=status_uri,
        device_state=_device_state,
        declaration_state=_declaration_state,
    )


def customs_services(state: AppState, session: Session, *, signing: bool = True) -> CustomsServices:
    settings = state.settings
    return CustomsServices(
        signer=state.signers.active_signer(session) if signing else None,
        sealer=state.sealer,
        rule_book=cached_rule_book(settings.customs_rules_file or DEFAULT_RULES_FILE),
        rates=cached_rate_table(settings.customs_rates_file or DEFAULT_RATES_FILE),
        duty_rate=Decimal(str(settings.customs_duty_rate)),
        max_days_ahead=settings.customs_max_days_ahead,
    )
