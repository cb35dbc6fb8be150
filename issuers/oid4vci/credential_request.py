"""The credential endpoint (OpenID4VCI §8): access token + key proof → one SD-JWT VC.

An access token may fetch each credential configuration of its offer exactly once (the
offer says which certificates the operator meant the person to get; a second copy needs a
new offer). One proof per request: batch issuance is not offered in the metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session

from issuers.oid4vci.errors import (
    CredentialRequestDenied,
    InsufficientScope,
    InvalidCredentialRequest,
    UnknownCredentialConfiguration,
)
from issuers.oid4vci.models import Oid4vciOffer, Oid4vciOfferCredential
from issuers.oid4vci.nonces import consume_nonce
from issuers.oid4vci.offers import OID4VCI_DELIVERY, open_sealed_subject
from issuers.oid4vci.proofs import verify_proof_jwt
from issuers.oid4vci.tokens import AccessGrant
from issuers.pipeline import CredentialIssued, IssuerServices, issue_credential
from keys.json_document import read_json
from schemas.errors import NoRecord, UnknownCertificateType

_OFFER_CREDENTIAL = Oid4vciOfferCredential.__table__  # type: ignore[attr-defined]
#: built once: on the hot path, building it cost more than executing it
_CLAIM = (
    update(_OFFER_CREDENTIAL)
    .where(
        _OFFER_CREDENTIAL.c.offer_id == bindparam("offer"),
        _OFFER_CREDENTIAL.c.configuration_id == bindparam("configuration"),
        _OFFER_CREDENTIAL.c.issued_at.is_(None),
    )
    .values(issued_at=bindparam("now"))
)


@dataclass(frozen=True)
class CredentialRequest:
    credential_configuration_id: str
    proof_jwt: str


@dataclass(frozen=True)
class ProofPolicy:
    clock_skew_s: int
    max_age_s: int


def parse_credential_request(raw: bytes) -> CredentialRequest:
    try:
        body = read_json(raw)
    except ValueError:  # UnicodeDecodeError and JSONDocumentRefused (too deep, too long) are ValueErrors
        raise InvalidCredentialRequest("the credential request must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidCredentialRequest("the credential request must be a JSON object")
    if "credential_identifier" in body:
        # we never return credential_identifiers in the token response (§6.2)
        raise InvalidCredentialRequest("use credential_configuration_id; no credential identifiers were issued")
    configuration_id = body.get("credential_configuration_id")
    if not isinstance(configuration_id, str) or not configuration_id:
        raise InvalidCredentialRequest("credential_configuration_id is required")
    if "proof" in body:
        raise InvalidCredentialRequest("OpenID4VCI 1.0 takes proofs (plural): {\"proofs\": {\"jwt\": [...]}}")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise InvalidCredentialRequest("proofs must be an object with exactly one proof type, jwt")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
        raise InvalidCredentialRequest("proofs.jwt must be an array of exactly one JWT (no batch issuance)")
    return CredentialRequest(credential_configuration_id=configuration_id, proof_jwt=jwts[0])


def _check_configuration(context: IssuerServices, grant: AccessGrant, configuration_id: str) -> None:
    try:
        type_def = context.registry.get(configuration_id)
    except UnknownCertificateType:
        raise UnknownCredentialConfiguration(f"unknown credential configuration {configuration_id!r}") from None
    if type_def.delivery != OID4VCI_DELIVERY:
        raise UnknownCredentialConfiguration(f"{configuration_id!r} is not issued over OpenID4VCI")
    if configuration_id not in grant.configuration_ids:
        # RFC 6750 §3.1, as OpenID4VCI §8.3.1.1 asks for a token that does not cover the request
        raise InsufficientScope(f"the access token was not granted for {configuration_id!r}")


def _claim_configuration(session: Session, grant: AccessGrant, configuration_id: str, now: datetime) -> None:
    """Mark the configuration issued; not committed (issue_credential commits it)."""
    claimed = session.connection().execute(
        _CLAIM, {"offer": grant.offer_id, "configuration": configuration_id, "now": now}
    )
    if claimed.rowcount != 1:
        raise CredentialRequestDenied(f"{configuration_id!r} was already issued with this access token")


def issue_requested_credential(
    session: Session,
    *,
    context: IssuerServices,
    grant: AccessGrant,
    request: CredentialRequest,
    policy: ProofPolicy,
    now: datetime,
    subject_sealed: bytes | None = None,
) -> CredentialIssued:
    """Check everything, then spend the nonce, spend the grant and issue in ONE commit:
    a failure anywhere leaves no record, no status slot and the nonce unspent.

    ``subject_sealed``: the grant's offer's sealed subject when the caller already read it
    (saves a round trip).
    """
    _check_configuration(context, grant, request.credential_configuration_id)
    proof = verify_proof_jwt(
        request.proof_jwt,
        audience=context.issuer_id,
        now=int(now.timestamp()),
        clock_skew_s=policy.clock_skew_s,
        max_age_s=policy.max_age_s,
    )
    if subject_sealed is None:
        offer = session.get(Oid4vciOffer, grant.offer_id)
        if offer is None:  # pragma: no cover - the token row references it
            raise CredentialRequestDenied("the offer behind this access token is gone")
        subject_sealed = offer.subject_sealed
    subject = open_sealed_subject(grant.offer_id, subject_sealed, context.sealer)

    def spend(session: Session) -> None:
        consume_nonce(session, nonce=proof.nonce, now=now)
        _claim_configuration(session, grant, request.credential_configuration_id, now)

    try:
        return issue_credential(
            session,
            context=context,
            type_id=request.credential_configuration_id,
            subject=subject,
            holder_jwk=proof.holder_jwk,
            now=now,
            spend=spend,
        )
    except NoRecord as exc:
        session.rollback()
        raise CredentialRequestDenied(f"the agency has no record to certify: {exc.detail}") from None
    except BaseException:
        session.rollback()
        raise


def credential_response(issued: CredentialIssued) -> dict[str, Any]:
    return {"credentials": [{"credential": issued.credential}]}
