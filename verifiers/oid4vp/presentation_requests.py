"""OpenID4VP 1.0 verifier: create a request, serve its request object, take the wallet's
``direct_post`` response, and hand the relying party the result.

Choices where the specification leaves room (documented for wallet implementers):

- Client identifier prefix ``x509_hash`` with one self-signed certificate per relying
  party (``verifiers.oid4vp.verifier_identity``); the request object is a JWT
  (``typ: oauth-authz-req+jwt``) signed with it and carrying it in ``x5c``, fetched by GET
  on ``request_uri``. The KB-JWT ``aud`` is therefore the full ``x509_hash:…`` client_id.
- ``response_mode: direct_post`` to a per-request ``response_uri``; the body is form-encoded
  ``vp_token`` (JSON object: credential query id → array of presentations) and ``state``.
- The relying party's purpose travels in the request object as ``ecert_purpose`` (an
  extension parameter; wallets that do not know it ignore it) and the party's name as
  ``client_metadata.client_name``.
- Wallet-facing errors are OAuth bodies with HTTP 400 (``invalid_request``); their
  ``error_description`` says which: wrong state, expired, already answered, bad vp_token.
- Anyone who saw the QR can fetch the request object, and so learns its ``state`` and
  ``nonce``: neither proves that a POST comes from the customer's wallet. What a stranger
  cannot do is end the bank's request:
  - an error response (``error=access_denied``, …) is recorded (``wallet_error`` in the
    party's poll) and the request stays open for a wallet to answer until it expires;
  - a ``vp_token`` ends the request only when at least one of its presentations is bound
    to it: a credential of a trusted issuer whose holder key signed a KB-JWT over this
    request's nonce for this party (``_bound``). Anything else (garbage, a stripped or
    foreign presentation, a wrong state) is refused without consuming the request.
  A stranger holding a credential of their own can answer like any wallet; the party then
  sees whose claims they are, as in every cross-device flow.
- One bound response per request: the first one consumes the request (and so its nonce and
  state), whatever the verdict (a revoked certificate is an answer too).
- The relying party receives, per query, only the claims it asked for, even if the wallet
  disclosed more.
- The result is personal data (names, numbers, addresses) and is kept like the wallet's:
  sealed at rest (AES-GCM with the storage key, bound to the request id) and handed over
  once. The first poll that sees the request answered receives it (``result_state:
  "handed_over"``) and the sealed copy is deleted in the same transaction; later polls get
  ``result: null`` with ``result_state: "collected"``. A result nobody collects is deleted
  ``result_retention_s`` after the answer (``"purged"``). What stays is the outcome, per
  query only ``valid``, ``code`` and ``match``, so a poll can still say how it ended.
"""

from __future__ import annotations

import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import update
from sqlmodel import Session

from keys.json_document import read_json
from keys.sealing import Sealer
from schemas.errors import CredentialExpired, Forbidden, InvalidInput, Malformed, NonceMismatch, NotFound, Replayed
from verifiers.claim_selection import restrict
from verifiers.oid4vp.dcql import CredentialQuery, DcqlQuery, match, parse_dcql
from verifiers.models import PresentationRequest, RelyingParty
from verifiers.pipeline import verify_presentation
from verifiers.profiles import CheckStep, Profile, get_profile
from verifiers.relying_parties import authorise_claims
from verifiers.oid4vp.verifier_identity import request_signer, x5c
from verifiers.verifier_services import VerifierServices

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
REQUEST_OBJECT_MEDIA_TYPE = "application/oauth-authz-req+jwt"
#: the static audience of a request object for a wallet without published metadata (§5.8)
SELF_ISSUED_AUDIENCE = "https://self-issued.me/v2"
URI_SCHEME = "openid4vp://"
REQUEST_PATH = "/openid4vp/requests/"
RESPONSE_PATH = "/openid4vp/responses/"
SUPPORTED_ALGS = ["ES256", "EdDSA"]
MAX_PURPOSE = 500

_TABLE = PresentationRequest.__table__  # type: ignore[attr-defined]
#: ``result_state`` of a poll: no result (not answered yet, declined, expired), this body
#: carries it (the only time), an earlier poll took it, or it was deleted uncollected
RESULT_NONE, RESULT_HANDED_OVER, RESULT_COLLECTED, RESULT_PURGED = "none", "handed_over", "collected", "purged"
#: what of a query's result stays once the result is gone: nothing that names anyone
OUTCOME_FIELDS = ("valid", "code", "match")


@dataclass(frozen=True)
class PresentationRequestCreated:
    id: str
    uri: str
    request_uri: str
    expires_at: int


def _every_claim(services: VerifierServices, type_id: str | None) -> list[tuple[str, ...]]:
    """The paths standing for "all claims" of a type, for a query that names none."""
    if type_id is None or type_id not in services.registry:
        return []
    return [(c.name,) for c in services.registry.get(type_id).claims]


def _authorise(session: Session, relying_party: RelyingParty, query: DcqlQuery, services: VerifierServices) -> None:
    trust = services.trust_for(session)
    for credential in query.credentials:
        for vct in credential.vct_values:
            type_id = trust.type_for_vct(vct)
            if type_id is None:
                raise Forbidden(f"{vct} is not a credential type this verifier accepts")
            paths = credential.claims if credential.claims is not None else _every_claim(services, type_id)
            authorise_claims(relying_party, type_id=type_id, paths=paths)


def create_presentation_request(
    session: Session,
    *,
    relying_party: RelyingParty,
    dcql_query: Any,
    purpose: Any,
    services: VerifierServices,
    now: int,
) -> PresentationRequestCreated:
    """Validate the query, refuse anything beyond the party's registration, store the request."""
    if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > MAX_PURPOSE:
        raise InvalidInput(f"purpose must be 1-{MAX_PURPOSE} characters")
    query = parse_dcql(dcql_query)
    _authorise(session, relying_party, query, services)
    row = PresentationRequest(
        id=uuid.uuid4().hex,
        relying_party_id=relying_party.id,
        dcql_query=dcql_query,
        purpose=purpose.strip(),
        nonce=secrets.token_urlsafe(32),
        state=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + services.request_ttl_s,
    )
    session.add(row)
    purge_uncollected_results(session, now=now)
    session.commit()
    request_uri = services.base_url + REQUEST_PATH + row.id
    return PresentationRequestCreated(row.id, _link(relying_party.client_id, request_uri), request_uri, row.expires_at)


def _link(client_id: str, request_uri: str) -> str:
    # by reference: the link stays short enough for a QR a desk scanner reads (version ~10)
    return URI_SCHEME + "?" + urlencode({"client_id": client_id, "request_uri": request_uri})


def _pending(session: Session, request_id: str, now: int) -> PresentationRequest:
    row = session.get(PresentationRequest, request_id)
    if row is None:
        raise NotFound("no such presentation request")
    if row.status != "pending":
        raise Replayed("this presentation request has already been answered")
    if now >= row.expires_at:
        raise CredentialExpired("this presentation request has expired")
    return row


def request_object(session: Session, *, request_id: str, services: VerifierServices, now: int) -> str:
    """The signed request object a wallet fetches by ``request_uri``."""
    row = _pending(session, request_id, now)
    party = session.get(RelyingParty, row.relying_party_id)
    if party is None or not party.active:
        raise NotFound("no such presentation request")
    signer = request_signer(client_id=party.client_id, sealed_private_key=party.sealed_private_key, sealer=services.sealer)
    payload = {
        "aud": SELF_ISSUED_AUDIENCE,
        "iss": party.client_id,
        "client_id": party.client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": services.base_url + RESPONSE_PATH + row.id,
        "nonce": row.nonce,
        "state": row.state,
        "dcql_query": row.dcql_query,
        "client_metadata": {
            "client_name": party.name,
            "vp_formats_supported": {
                "dc+sd-jwt": {"sd-jwt_alg_values": SUPPORTED_ALGS, "kb-jwt_alg_values": SUPPORTED_ALGS}
            },
        },
        "ecert_purpose": row.purpose,
        "iat": now,
        "exp": row.expires_at,
    }
    header = {"typ": REQUEST_OBJECT_TYP, "x5c": x5c(party.certificate_der)}
    return signer.sign_compact(header, payload, include_kid=False)


def _vp_token(raw: Any, query: DcqlQuery) -> dict[str, list[str]]:
    if not isinstance(raw, str):
        raise Malformed("vp_token is required")
    try:
        token = read_json(raw)
    except ValueError:  # JSONDocumentRefused (too deep, too long) is one
        raise Malformed("vp_token must be a JSON object") from None
    if not isinstance(token, dict) or not token:
        raise Malformed("vp_token must be a non-empty JSON object keyed by credential query id")
    queries = query.by_id()
    for query_id, presentations in token.items():
        credential = queries.get(query_id)
        if credential is None:
            raise Malformed(f"vp_token answers no credential query {query_id!r}")
        if not isinstance(presentations, list) or not presentations or not all(isinstance(p, str) for p in presentations):
            raise Malformed(f"vp_token[{query_id!r}] must be a non-empty array of presentations")
        if len(presentations) > 1 and not credential.multiple:
            raise Malformed(f"credential query {query_id!r} allows one presentation")
    return token


def _consume(session: Session, row: PresentationRequest, now: int) -> None:
    """pending → done, once: the conditional UPDATE is what makes nonce and state single use."""
    statement = update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.status == "pending").values(status="done", answered_at=now)
    if session.execute(statement).rowcount != 1:
        session.rollback()
        raise Replayed("this presentation request has already been answered")
    session.commit()


def _record_wallet_error(session: Session, row: PresentationRequest, error: str) -> None:
    """Note what a wallet said; the request stays pending (anyone with the QR can say it)."""
    session.execute(update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.status == "pending").values(wallet_error=error))
    session.commit()


#: the checks that make a presentation an answer to this request: genuine, from a trusted
#: issuer, key-bound to the request's nonce and party; status and validity are the verdict's
_BINDING_HEAD = ("parse", "typ", "issuer_trust", "signature", "disclosures")


def _binding_profile(profile: Profile) -> Profile:
    kb = next((s for s in profile.steps if s.id == "holder_binding"), None)
    holder_binding = CheckStep("holder_binding", {**(kb.options if kb else {}), "required": True})
    head = tuple(s for s in profile.steps if s.id in _BINDING_HEAD)
    return Profile(f"{profile.name}:binding", (*head, holder_binding, CheckStep("nonce_audience")))


def _bound(
    session: Session, token: Mapping[str, list[str]], *, party: RelyingParty, row: PresentationRequest,
    services: VerifierServices, now: int,
) -> None:
    """NonceMismatch unless some presentation is bound to this request (nothing is written)."""
    profile = _binding_profile(get_profile(party.profile))
    refused: list[str] = []
    for presentation in (p for presentations in token.values() for p in presentations):
        result = verify_presentation(
            session, presentation=presentation, profile=profile, trust=services.trust_for(session),
            status_checker=None, nonce=row.nonce, audience=party.client_id, now=now, registry=services.registry,
        )
        if result.valid:
            return
        refused.append(result.code or "verification_failed")
    raise NonceMismatch(f"no presentation in vp_token is bound to this request ({', '.join(sorted(set(refused)))})")


def _not_presented() -> dict[str, Any]:
    return {"valid": False, "code": "not_presented", "match": "none", "missing_claims": [], "claims": {}, "checks": []}


def _judge(
    session: Session,
    presentation: str,
    *,
    credential: CredentialQuery,
    party: RelyingParty,
    row: PresentationRequest,
    services: VerifierServices,
    now: int,
) -> dict[str, Any]:
    result = verify_presentation(
        session,
        presentation=presentation,
        profile=get_profile(party.profile),
        trust=services.trust_for(session),
        status_checker=services.status_checker,
        nonce=row.nonce,
        audience=party.client_id,
        now=now,
        registry=services.registry,
        own_status=services.own_status,
    )
    every = _every_claim(services, result.type_id)
    found = match(credential, vct=result.vct, claims=result.claims, every_claim=every)
    asked = credential.claims if credential.claims is not None else every
    # the party sees what it asked for of the type it asked for, never more
    shown = restrict(result.claims, asked) if found.match != "none" else {}
    body = result.public()
    body["claims"] = shown
    body["labels"] = {k: v for k, v in result.labels.items() if k.split(".", 1)[0].removesuffix("[]") in shown}
    body["match"] = found.match
    body["missing_claims"] = [list(p) for p in found.missing_claims]
    return body


def receive_response(
    session: Session, *, request_id: str, form: Mapping[str, Any], services: VerifierServices, now: int
) -> dict[str, Any]:
    """Handle the wallet's direct_post; returns the body for the wallet (``{}``: cross-device)."""
    row = _pending(session, request_id, now)
    state = form.get("state")
    if not isinstance(state, str) or not hmac.compare_digest(state.encode(), row.state.encode()):
        raise NonceMismatch("state does not belong to this request")
    error = form.get("error")
    if error is not None:
        _record_wallet_error(session, row, str(error)[:64])
        return {}
    query = parse_dcql(row.dcql_query)
    token = _vp_token(form.get("vp_token"), query)
    party = session.get(RelyingParty, row.relying_party_id)
    if party is None:
        raise NotFound("no such presentation request")
    _bound(session, token, party=party, row=row, services=services, now=now)
    _consume(session, row, now)

    results: dict[str, Any] = {}
    for credential in query.credentials:
        presentations = token.get(credential.id)
        if presentations is None:
            results[credential.id] = [] if credential.multiple else _not_presented()
            continue
        judged = [
            _judge(session, p, credential=credential, party=party, row=row, services=services, now=now)
            for p in presentations
        ]
        results[credential.id] = judged if credential.multiple else judged[0]
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == row.id)
        .values(
            sealed_result=_seal_result(services.sealer, results, request_id=row.id),
            outcome=_outcome(results),
            result_expires_at=now + services.result_retention_s,
        )
    )
    session.commit()
    return {}


def _result_aad(request_id: str) -> bytes:
    # table:row:field, as the wallet binds its sealed rows: a copy moved to another row won't open
    return f"{_TABLE.name}:{request_id}:result".encode()


def _seal_result(sealer: Sealer, results: dict[str, Any], *, request_id: str) -> bytes:
    return sealer.seal(json.dumps(results, ensure_ascii=False).encode(), aad=_result_aad(request_id))


def _open_result(sealer: Sealer, sealed: bytes, *, request_id: str) -> dict[str, Any]:
    return read_json(sealer.open(sealed, aad=_result_aad(request_id)))  # type: ignore[no-any-return]


def _outcome(results: Mapping[str, Any]) -> dict[str, Any]:
    def keep(answer: Mapping[str, Any]) -> dict[str, Any]:
        return {name: answer.get(name) for name in OUTCOME_FIELDS}

    return {
        query_id: [keep(a) for a in answer] if isinstance(answer, list) else keep(answer)
        for query_id, answer in results.items()
    }


def _complete(outcome: Mapping[str, Any] | None) -> bool:
    if not outcome:
        return False
    answers = [a for value in outcome.values() for a in (value if isinstance(value, list) else [value])]
    return bool(answers) and all(a.get("valid") and a.get("match") == "full" for a in answers)


def purge_uncollected_results(session: Session, *, now: int) -> int:
    """Delete the sealed results nobody collected within their retention (the outcome stays).
    Does not commit. Runs on the request path (each new request sweeps) and from
    ``ecert rp purge-results``."""
    statement = (
        update(_TABLE)
        .where(_TABLE.c.result_expires_at <= now)
        .values(sealed_result=None, result_expires_at=None)
    )
    return session.execute(statement).rowcount or 0


def _hand_over(session: Session, row: PresentationRequest, *, sealer: Sealer, now: int) -> tuple[str, dict[str, Any] | None]:
    """The result, once: opened, then deleted by a conditional UPDATE that only one poll wins."""
    if row.result_collected_at is not None:
        return RESULT_COLLECTED, None
    if row.sealed_result is None:
        return RESULT_PURGED, None
    if row.result_expires_at is not None and now >= row.result_expires_at:
        purge_uncollected_results(session, now=now)
        session.commit()
        return RESULT_PURGED, None
    # open before deleting: a result that does not open (wrong storage key) is not lost
    result = _open_result(sealer, row.sealed_result, request_id=row.id)
    taken = session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == row.id, _TABLE.c.result_collected_at.is_(None), _TABLE.c.sealed_result.is_not(None))
        .values(sealed_result=None, result_expires_at=None, result_collected_at=now)
    ).rowcount
    if taken != 1:
        # a concurrent poll took it (or the sweep deleted it) first: only one ever gets it
        session.rollback()
        session.refresh(row)
        return (RESULT_COLLECTED if row.result_collected_at is not None else RESULT_PURGED), None
    session.commit()
    return RESULT_HANDED_OVER, result


def read_request(
    session: Session, *, relying_party: RelyingParty, request_id: str, sealer: Sealer, now: int
) -> dict[str, Any]:
    """The state of a request, and its result the first time it is there (see the module
    docstring); another party's request does not exist (404)."""
    row = session.get(PresentationRequest, request_id)
    if row is None or row.relying_party_id != relying_party.id:
        raise NotFound("no such presentation request")
    # consumed but not yet judged (the wallet's POST is still verifying): not done yet
    judging = row.status == "done" and row.outcome is None
    expired = (row.status == "pending" or judging) and now >= row.expires_at
    # a wallet's error does not end a request (see the module docstring): only expiry does
    error = "expired" if expired else None
    done = (row.status == "done" and not judging) or expired
    result_state, result = RESULT_NONE, None
    if done and not expired and row.outcome is not None:
        result_state, result = _hand_over(session, row, sealer=sealer, now=now)
    return {
        "id": row.id,
        "status": "done" if done else "pending",
        "result": result,
        "result_state": result_state,
        "outcome": row.outcome if done else None,
        "complete": _complete(row.outcome) if done else False,
        "error": error,
        # what a wallet said instead of answering (e.g. access_denied): anyone who saw the QR
        # can say it, so it is shown but does not end the request
        "wallet_error": row.wallet_error,
        "purpose": row.purpose,
        "expires_at": row.expires_at,
    }


def request_uri_of(
    session: Session, *, relying_party: RelyingParty, request_id: str, services: VerifierServices, now: int
) -> str:
    """The ``openid4vp://`` link of a party's own pending request (for its QR)."""
    row = session.get(PresentationRequest, request_id)
    if row is None or row.relying_party_id != relying_party.id:
        raise NotFound("no such presentation request")
    if row.status != "pending" or now >= row.expires_at:
        raise InvalidInput("this presentation request is no longer open")
    return _link(relying_party.client_id, services.base_url + REQUEST_PATH + row.id)
