"""Builds what the QR code paths need from the app state: keys, status, lookups, profiles.

Our agencies (every agency id in the type registry: "kcs", "knpa", "mois", ...) sign QR
issuer parts with this service's issuer keys, so the resolver maps each agency id to the
published keys of the local database: what the desk needs offline, and the same rows the
JWKS is built from.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from issuers.customs.declarations import CustomsContext, find_by_issuer_part
from issuers.customs.rates import DEFAULT_RATES_FILE, cached_rate_table
from issuers.customs.rules import DEFAULT_RULES_FILE, cached_rule_book
from issuers.status_lists.allocator import status_list_uri_path
from keys.b64 import b64url_encode
from keys.jwk import thumbprint
from keys.jws import VerificationKey
from keys.store import published_keys
from schemas.qr_payload import IssuerKeyIndex
from verifiers.qr.context import QrServices
from verifiers.qr.profiles import QrProfile, qr_profiles
from wallet_api.issuing import sealer
from wallet_api.state import AppState
from wallet_api.verifier_wiring import verifier_services
from wallet_api.wallet.models import Device


def agency_ids(state: AppState) -> set[str]:
    return {type_def.agency.id for type_def in state.registry.all()}


_KEY_INDEX = "qr_issuer_key_index"


def issuer_key_index(state: AppState, session: Session) -> IssuerKeyIndex:
    """The published keys, read each time (a rotation counts at once), but the index built
    only when the set of published kids changes: parsing keys costs more than the query."""
    rows = published_keys(session, now=state.clock.now())
    kids = tuple(row.kid for row in rows)
    cached = state.extras.get(_KEY_INDEX)
    if cached is not None and cached[0] == kids:  # type: ignore[index]
        return cached[1]  # type: ignore[index,no-any-return]
    keys = [VerificationKey.from_jwk(row.public_jwk, kid=row.kid) for row in rows]
    index = IssuerKeyIndex((agency, key) for agency in agency_ids(state) for key in keys)
    state.extras[_KEY_INDEX] = (kids, index)  # one dict store: atomic under the GIL
    return index


def _device_state(session: Session, jwk: dict[str, str]) -> str:
    device = session.exec(select(Device).where(Device.jkt == thumbprint(jwk))).first()
    if device is None:
        return "unknown"
    return "revoked" if device.revoked_at is not None else "active"


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
        device_key_from_jwk=VerificationKey.from_jwk,
        status_checker=verifier_services(state).status_checker,
        status_uri=status_uri,
        device_state=_device_state,
        declaration_state=_declaration_state,
    )


def profiles(state: AppState) -> dict[str, QrProfile]:
    settings = state.settings
    return qr_profiles(mobile_id_ttl_s=settings.qr_mobile_id_ttl_s, customs_ttl_s=settings.qr_customs_ttl_s)


def customs_context(state: AppState, session: Session, *, signing: bool = True) -> CustomsContext:
    settings = state.settings
    return CustomsContext(
        signer=state.signers.active_signer(session) if signing else None,
        sealer=sealer(state),
        rule_book=cached_rule_book(settings.customs_rules_file or DEFAULT_RULES_FILE),
        rates=cached_rate_table(settings.customs_rates_file or DEFAULT_RATES_FILE),
        duty_rate=Decimal(str(settings.customs_duty_rate)),
        max_days_ahead=settings.customs_max_days_ahead,
    )
