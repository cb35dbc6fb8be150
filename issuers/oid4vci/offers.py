"""Credential offers (OpenID4VCI §4) with a pre-authorized code and an optional tx_code."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import Session

from issuers.adapters.base import SourceAdapter, Subject
from issuers.oid4vci.codes import TX_CODE_LENGTH, hash_secret, hash_tx_code, new_secret, new_tx_code
from issuers.oid4vci.models import Oid4vciOffer, Oid4vciOfferCredential
from issuers.pipeline import IssuerServices
from issuers.synthetic_registry import SyntheticPopulation
from keys.sealing import Sealer
from schemas.errors import Forbidden, InvalidInput, NoRecord, NotFound, UnknownCertificateType
from schemas.registry import CertificateType, TypeRegistry

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
#: credential_offer_uri = issuer id + this prefix + the reference secret
OFFER_PATH_PREFIX = "/oid4vci/offers/"
#: wallets show this next to the PIN field (OpenID4VCI §4.1.1: at most 300 characters)
TX_CODE_DESCRIPTION = "발급 기관이 따로 알려 드린 6자리 숫자를 입력하세요. / Enter the 6-digit code the issuing office gave you."
#: only these are issued over OpenID4VCI; "qr" types (customs declaration) have their own path
OID4VCI_DELIVERY = "sd-jwt-vc"
_MAX_TYPES_PER_OFFER = 16


@dataclass(frozen=True)
class OfferCreated:
    offer_id: str
    #: what goes into the QR code / deep link: by value, or by reference when asked
    offer_uri: str
    credential_offer: dict[str, Any]
    credential_offer_uri: str | None
    pre_authorized_code: str
    #: the PIN to hand the person out of band; never part of the offer itself
    tx_code: str | None
    expires_at: datetime


def subject_for_person(population: SyntheticPopulation, person_id: str) -> Subject:
    return Subject(rrn=population.by_id(person_id).rrn)


def offerable_type(registry: TypeRegistry, type_id: str) -> CertificateType:
    type_def = registry.get(type_id)
    if type_def.delivery != OID4VCI_DELIVERY:
        raise UnknownCertificateType(f"{type_id!r} is not issued over OpenID4VCI", type_id=type_id)
    return type_def


def offerable_type_ids(registry: TypeRegistry, adapters: Mapping[str, SourceAdapter], subject: Subject) -> list[str]:
    """The OpenID4VCI types an agency holds a record of for this person: what may be offered."""
    return [t.id for t in registry if t.delivery == OID4VCI_DELIVERY and _has_record(adapters, t, subject)]


def _has_record(adapters: Mapping[str, SourceAdapter], type_def: CertificateType, subject: Subject) -> bool:
    adapter = adapters.get(type_def.adapter)
    return adapter is not None and adapter.has_record(type_def, subject)


def _subject_aad(offer_id: str) -> bytes:
    return f"issuers_oid4vci_offer/{offer_id}/subject".encode()


def _code_aad(offer_id: str) -> bytes:
    return f"issuers_oid4vci_offer/{offer_id}/code".encode()


def open_subject(offer: Oid4vciOffer, sealer: Sealer) -> Subject:
    return open_sealed_subject(offer.id, offer.subject_sealed, sealer)


def open_sealed_subject(offer_id: str, subject_sealed: bytes, sealer: Sealer) -> Subject:
    """The subject of offer ``offer_id`` from its sealed column alone (no row object needed)."""
    return Subject(rrn=sealer.open(subject_sealed, aad=_subject_aad(offer_id)).decode("utf-8"))


def credential_offer_json(
    *, issuer_id: str, configuration_ids: Sequence[str], pre_authorized_code: str, with_tx_code: bool
) -> dict[str, Any]:
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code}
    if with_tx_code:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH, "description": TX_CODE_DESCRIPTION}
    return {
        "credential_issuer": issuer_id,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def offer_uri_by_value(offer: dict[str, Any]) -> str:
    compact = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(compact, safe='')}"


def offer_uri_by_reference(credential_offer_uri: str) -> str:
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(credential_offer_uri, safe='')}"


def _checked_types(context: IssuerServices, type_ids: Sequence[str], subject: Subject, agency_id: str | None) -> list[str]:
    unique = list(dict.fromkeys(type_ids))
    if not unique or len(unique) > _MAX_TYPES_PER_OFFER:
        raise InvalidInput(f"an offer names between 1 and {_MAX_TYPES_PER_OFFER} certificate types")
    for type_id in unique:
        type_def = offerable_type(context.registry, type_id)
        if agency_id is not None and type_def.agency.id != agency_id:
            raise Forbidden(f"{type_id!r} is issued by {type_def.agency.id}, not by {agency_id}")
        # refuse now rather than let the wallet find out after the token exchange
        if not _has_record(context.adapters, type_def, subject):
            raise NoRecord(f"no {type_def.name.en} record for this person", type_id=type_id)
    return unique


def create_offer(
    session: Session,
    *,
    context: IssuerServices,
    type_ids: Sequence[str],
    subject: Subject,
    with_tx_code: bool,
    now: datetime,
    ttl: timedelta,
    created_by: str,
    by_reference: bool = False,
    agency_id: str | None = None,
) -> OfferCreated:
    """Create and commit an offer. ``agency_id``: the operator's agency, whose types only it may offer."""
    configuration_ids = _checked_types(context, type_ids, subject, agency_id)
    offer_id = secrets.token_hex(16)
    code = new_secret()
    tx_code = new_tx_code() if with_tx_code else None
    reference = new_secret() if by_reference else None
    expires_at = now + ttl
    row = Oid4vciOffer(
        id=offer_id,
        code_hash=hash_secret(code),
        tx_code_hash=hash_tx_code(tx_code, pre_authorized_code=code) if tx_code else None,
        reference_hash=hash_secret(reference) if reference else None,
        code_sealed=context.sealer.seal(code.encode(), aad=_code_aad(offer_id)) if reference else None,
        subject_sealed=context.sealer.seal(subject.rrn.encode("utf-8"), aad=_subject_aad(offer_id)),
        configuration_ids=configuration_ids,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()  # the parent row first: PostgreSQL checks the foreign key per statement
    session.add_all(Oid4vciOfferCredential(offer_id=offer_id, configuration_id=c) for c in configuration_ids)
    session.commit()
    offer = credential_offer_json(
        issuer_id=context.issuer_id,
        configuration_ids=configuration_ids,
        pre_authorized_code=code,
        with_tx_code=with_tx_code,
    )
    offer_uri_ref = context.issuer_id + OFFER_PATH_PREFIX + reference if reference else None
    return OfferCreated(
        offer_id=offer_id,
        offer_uri=offer_uri_by_reference(offer_uri_ref) if offer_uri_ref else offer_uri_by_value(offer),
        credential_offer=offer,
        credential_offer_uri=offer_uri_ref,
        pre_authorized_code=code,
        tx_code=tx_code,
        expires_at=expires_at,
    )


def offer_by_reference(session: Session, *, reference: str, issuer_id: str, sealer: Sealer, now: datetime) -> dict[str, Any]:
    """The offer JSON behind a ``credential_offer_uri``, while its code is still redeemable."""
    row = session.execute(
        select(Oid4vciOffer).where(
            Oid4vciOffer.reference_hash == hash_secret(reference),  # type: ignore[arg-type]
            Oid4vciOffer.expires_at > now,  # type: ignore[arg-type]
            Oid4vciOffer.redeemed_at.is_(None),  # type: ignore[union-attr]
        )
    ).scalar_one_or_none()
    if row is None or row.code_sealed is None:
        raise NotFound("no such credential offer, or it has expired or been used")
    code = sealer.open(row.code_sealed, aad=_code_aad(row.id)).decode()
    return credential_offer_json(
        issuer_id=issuer_id,
        configuration_ids=row.configuration_ids,
        pre_authorized_code=code,
        with_tx_code=row.tx_code_hash is not None,
    )
