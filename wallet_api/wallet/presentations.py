"""The wallet side of OpenID4VP 1.0: resolve → (holder consents) → prepare → submit.

The server never holds a holder's private key. ``prepare`` builds, per credential query,
the presentation with only the requested disclosures and the KB-JWT header and payload
(``aud`` = the client_id, ``nonce`` = the request's, ``sd_hash`` over the presentation) and
answers the exact signing input; the app signs it with the device key; ``submit`` checks
the signature against the device key, attaches the KB-JWT and sends the ``vp_token`` by
``direct_post`` to the request's ``response_uri``. A consent is used once.

Only registered relying parties are answered, and only for what they registered: a request
naming more is refused here too, not only by the verifier that issued it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from issuers.pipeline import vct_for
from keys.b64 import b64url_encode
from keys.errors import KeyLayerError
from keys.jws import VerificationKey, json_compact, verify_compact
from keys.sd_jwt import ClaimPath, attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from keys.sealing import Sealer
from schemas.errors import HolderBindingFailed, InvalidInput, NotFound, OutboundFetchError, Replayed
from schemas.registry import TypeRegistry
from verifiers.claim_selection import restrict
from verifiers.oid4vp.dcql import DcqlQuery, parse_dcql
from verifiers.relying_parties import authorise_claims, find_by_client_id
from wallet_api.wallet.credential_views import StatusReader, owned_credential, stored_claims
from wallet_api.wallet.dcql_matching import asked_paths, match_query
from wallet_api.wallet.devices import owned_device
from schemas.errors import DeviceRevoked
from wallet_api.wallet.errors import ConsentExpired, NotPresentable, RelyingPartyUnregistered, RequestObjectInvalid
from wallet_api.wallet.fetching import Fetcher
from wallet_api.wallet.models import Consent, Device, StoredCredential
from wallet_api.wallet.request_objects import resolve_request
from wallet_api.wallet.sealing import open_json, open_text, seal_json
from wallet_api.wallet.submissions import record_submission

TABLE = "wallet_consent"
KIND_OPENID4VP = "openid4vp"
KIND_SHARE_LINK = "share_link"
#: the response endpoint was refused or did not answer usably: nothing is known to have arrived
OUTCOME_UNDELIVERED = "undelivered"
#: what of a verifier's error answer reaches the holder's history: an OAuth-style code only
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_.-]{0,39}")
_CONSENTS = Consent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WalletServices:
    """What the presentation functions need besides the session, bundled per request."""

    registry: TypeRegistry
    sealer: Sealer
    reader: StatusReader
    issuer_id: str
    consent_ttl_s: int

    @property
    def now(self) -> datetime:
        return self.reader.now

    def type_for_vct(self) -> dict[str, str]:
        return {vct_for(self.issuer_id, t.id): t.id for t in self.registry}


# --- resolve ----------------------------------------------------------------------------


def _authorise(relying_party: Any, query: DcqlQuery, ctx: WalletServices) -> None:
    types = ctx.type_for_vct()
    for credential in query.credentials:
        type_id = next((types[v] for v in credential.vct_values if v in types), None)
        authorise_claims(relying_party, type_id=type_id, paths=asked_paths(credential, ctx.registry, type_id))


def resolve(session: Session, *, holder_id: str, uri: Any, fetcher: Fetcher, ctx: WalletServices) -> dict[str, Any]:
    # end any open read transaction: on SQLite a stale snapshot cannot write after the
    # in-process verifier has written
    session.commit()
    request = resolve_request(uri, fetcher=fetcher, now=ctx.now)
    try:
        relying_party = find_by_client_id(session, client_id=request.client_id)
    except NotFound:
        raise RelyingPartyUnregistered("this relying party is not registered; nothing will be sent") from None
    try:
        query = parse_dcql(request.dcql_query)
    except InvalidInput as exc:
        raise RequestObjectInvalid(f"dcql_query: {exc.detail}") from None
    _authorise(relying_party, query, ctx)
    answers = match_query(
        session, holder_id=holder_id, query=query, type_for_vct=ctx.type_for_vct(), registry=ctx.registry, reader=ctx.reader
    )
    expires_at = ctx.now + timedelta(seconds=ctx.consent_ttl_s)
    if request.expires_at is not None:
        expires_at = min(expires_at, datetime.fromtimestamp(request.expires_at, ctx.now.tzinfo))
    consent_id = uuid.uuid4().hex
    purpose = request.purpose or relying_party.purpose
    sealed = seal_json(
        ctx.sealer,
        {
            "client_id": request.client_id,
            "nonce": request.nonce,
            "state": request.state,
            "response_uri": request.response_uri,
            "dcql_query": request.dcql_query,
        },
        table=TABLE,
        row_id=consent_id,
        field="request",
    )
    session.add(
        Consent(
            id=consent_id,
            holder_id=holder_id,
            kind=KIND_OPENID4VP,
            created_at=ctx.now,
            expires_at=expires_at,
            # the registered name, not the request's client_name: the party chose that one itself
            recipient_name=relying_party.name,
            recipient_id=request.client_id,
            purpose=purpose[:500],
            sealed_request=sealed,
        )
    )
    session.commit()
    return {
        "consent_id": consent_id,
        "relying_party": {"name": relying_party.name, "client_id": request.client_id},
        "purpose": purpose,
        "expires_at": expires_at,
        "credentials": answers,
    }


# --- prepare ----------------------------------------------------------------------------


def owned_consent(session: Session, *, holder_id: str, consent_id: str) -> Consent:
    row = session.get(Consent, consent_id)
    if row is None or row.holder_id != holder_id:
        raise NotFound("no such consent")
    return row


def _usable_consent(consent: Consent, now: datetime, *, status: str) -> None:
    if consent.expires_at <= now:
        raise ConsentExpired("this request has expired; scan it again")
    if consent.status != status:
        raise Replayed(f"this consent is {consent.status}")


def presentable_credential(session: Session, *, holder_id: str, credential_id: Any, device_id: str, ctx: WalletServices) -> StoredCredential:
    if not isinstance(credential_id, str):
        raise InvalidInput("credential ids are strings")
    row = owned_credential(session, holder_id=holder_id, credential_id=credential_id)
    # another holder's device id is a 404 like every foreign id: a 409 would confirm it exists
    device = owned_device(session, holder_id=holder_id, device_id=device_id)
    if row.device_id != device.id:
        raise NotPresentable("this credential is bound to another of your devices")
    state = ctx.reader.state(session, row)
    if state.device_revoked:
        raise DeviceRevoked("this credential's device has been revoked; re-issue it to a new device")
    if not state.presentable:
        raise NotPresentable(f"this credential is {state.state}")
    return row


def signing_input(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{b64url_encode(json_compact(header))}.{b64url_encode(json_compact(payload))}"


def prepared_item(
    row: StoredCredential, *, query_id: str, paths: list[ClaimPath], nonce: str, aud: str, ctx: WalletServices
) -> dict[str, Any]:
    credential = open_text(ctx.sealer, row.sealed_credential, table="wallet_stored_credential", row_id=row.id, field="credential")
    presentation = select_disclosures(credential, paths)
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=nonce, aud=aud, iat=int(ctx.now.timestamp()))
    return {
        "query_id": query_id,
        "credential_id": row.id,
        "type_id": row.type_id,
        "claims": [list(p) for p in paths],
        "presentation": presentation,
        "kb_jwt_header": header,
        "kb_jwt_payload": payload,
        "signing_input": signing_input(header, payload),
    }


def public_item(item: dict[str, Any], row: StoredCredential, paths: list[ClaimPath], ctx: WalletServices) -> dict[str, Any]:
    """The item for the app, with what will leave: the chosen claims and the always-disclosed ones."""
    always: list[ClaimPath] = []
    if row.type_id in ctx.registry:
        always = [(p,) for p in ctx.registry.get(row.type_id).always_disclosed_paths() if "." not in p and "[" not in p]
    return {**item, "disclosed_claims": restrict(stored_claims(row, ctx.sealer), [*paths, *always])}


def _assign(chosen: Any, query: DcqlQuery, rows: dict[str, StoredCredential]) -> dict[str, list[StoredCredential]]:
    """query id → chosen credentials; a list is matched to queries by vct, in query order."""
    by_query: dict[str, list[StoredCredential]] = {}
    if isinstance(chosen, dict):
        for query_id, ids in chosen.items():
            ids = ids if isinstance(ids, list) else [ids]
            by_query[query_id] = [rows[i] for i in ids]
    else:
        remaining = list(chosen)
        for credential in query.credentials:
            for cid in list(remaining):
                if rows[cid].vct in credential.vct_values:
                    by_query.setdefault(credential.id, []).append(rows[cid])
                    remaining.remove(cid)
                    if not credential.multiple:
                        break
        if remaining:
            raise InvalidInput(f"credentials {remaining} answer no query of this request")
    queries = query.by_id()
    for query_id, answered in by_query.items():
        credential = queries.get(query_id)
        if credential is None:
            raise InvalidInput(f"the request has no credential query {query_id!r}")
        if any(r.vct not in credential.vct_values for r in answered):
            raise InvalidInput(f"a credential does not answer query {query_id!r}")
        if len(answered) > 1 and not credential.multiple:
            raise InvalidInput(f"query {query_id!r} takes one credential")
    return by_query


def prepare(
    session: Session, *, consent: Consent, credential_ids: Any, device_id: Any, ctx: WalletServices
) -> dict[str, Any]:
    if consent.kind != KIND_OPENID4VP:
        raise NotFound("no such consent")
    _usable_consent(consent, ctx.now, status="resolved")
    if not isinstance(device_id, str):
        raise InvalidInput("device_id is required")
    ids = list(credential_ids.values()) if isinstance(credential_ids, dict) else credential_ids
    flat = [i for v in (ids or []) for i in (v if isinstance(v, list) else [v])]
    if not flat:
        raise InvalidInput("choose at least one credential")
    rows = {
        cid: presentable_credential(session, holder_id=consent.holder_id, credential_id=cid, device_id=device_id, ctx=ctx)
        for cid in flat
    }
    request = open_json(ctx.sealer, consent.sealed_request, table=TABLE, row_id=consent.id, field="request")
    query = parse_dcql(request["dcql_query"])
    types = ctx.type_for_vct()
    items = []
    public_items = []
    for query_id, answered in _assign(credential_ids, query, rows).items():
        credential = query.by_id()[query_id]
        for row in answered:
            paths = asked_paths(credential, ctx.registry, types.get(row.vct))
            item = prepared_item(row, query_id=query_id, paths=paths, nonce=request["nonce"], aud=request["client_id"], ctx=ctx)
            items.append(item)
            public_items.append(public_item(item, row, paths, ctx))
    return store_prepared(session, consent, items=items, device_id=device_id, public_items=public_items, ctx=ctx)


def store_prepared(
    session: Session, consent: Consent, *, items: list[dict[str, Any]], device_id: str, public_items: list[dict[str, Any]], ctx: WalletServices
) -> dict[str, Any]:
    consent.sealed_prepared = seal_json(
        ctx.sealer, {"device_id": device_id, "items": items}, table=TABLE, row_id=consent.id, field="prepared"
    )
    consent.status = "prepared"
    session.add(consent)
    session.commit()
    return {
        "consent_id": consent.id,
        "kind": consent.kind,
        "recipient": {"name": consent.recipient_name, "id": consent.recipient_id},
        "purpose": consent.purpose,
        "device_id": device_id,
        "expires_at": consent.expires_at,
        "items": public_items,
    }


# --- submit -----------------------------------------------------------------------------


def _signed_kb_jwts(items: list[dict[str, Any]], body: dict[str, Any], device: Device) -> dict[int, str]:
    """Item index → KB-JWT, each checked against the device key before anything is sent."""
    single = body.get("kb_jwt_signature") or body.get("kb_jwt")
    many_signatures = body.get("kb_jwt_signatures") or {}
    many_jwts = body.get("kb_jwts") or {}
    if not isinstance(many_signatures, dict) or not isinstance(many_jwts, dict):
        raise InvalidInput("kb_jwt_signatures and kb_jwts are objects keyed by credential id")
    key = VerificationKey.from_jwk(device.public_jwk)
    out: dict[int, str] = {}
    for index, item in enumerate(items):
        given = many_jwts.get(item["credential_id"]) or many_signatures.get(item["credential_id"])
        if given is None and len(items) == 1:
            given = single
        if not isinstance(given, str) or not given:
            raise InvalidInput(f"no KB-JWT signature for credential {item['credential_id']}")
        kb_jwt = given if given.count(".") == 2 else f"{item['signing_input']}.{given}"
        try:
            verified = verify_compact(kb_jwt, key, expected_typ="kb+jwt")
        except KeyLayerError as exc:
            raise HolderBindingFailed(f"the KB-JWT is not signed by this device's key: {exc}") from None
        if verified.payload != item["kb_jwt_payload"]:
            raise HolderBindingFailed("the KB-JWT does not carry what was prepared")
        out[index] = kb_jwt
    return out


def _claim_record(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"credential_id": i["credential_id"], "type_id": i["type_id"], "claims": i["claims"]} for i in items]


def take_consent(session: Session, consent: Consent) -> None:
    """prepared → submitted, once: the conditional UPDATE makes a consent single use."""
    result = session.execute(
        update(_CONSENTS).where(_CONSENTS.c.id == consent.id, _CONSENTS.c.status == "prepared").values(status="submitted")
    )
    if result.rowcount != 1:
        session.rollback()
        raise Replayed("this consent has already been submitted")
    # committed before anything leaves: a verifier is never sent the same consent twice
    session.commit()


def _verifier_error(fetched: Any) -> str:
    """The verifier's own error code (OpenID4VP error response), never its HTTP status."""
    body = fetched.json()
    code = body.get("error") or body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else "unspecified"


def submit_openid4vp(
    session: Session, *, consent: Consent, items: list[dict[str, Any]], kb_jwts: dict[int, str], fetcher: Fetcher, ctx: WalletServices
) -> dict[str, Any]:
    request = open_json(ctx.sealer, consent.sealed_request, table=TABLE, row_id=consent.id, field="request")
    vp_token: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        vp_token.setdefault(item["query_id"], []).append(attach_kb_jwt(item["presentation"], kb_jwts[index]))
    form = {"vp_token": json.dumps(vp_token, separators=(",", ":"))}
    if request.get("state") is not None:
        form["state"] = request["state"]
    take_consent(session, consent)
    try:
        fetched = fetcher.post_form(request["response_uri"], form)
    except OutboundFetchError:
        # the consent is spent (nothing is sent twice): the holder's history says it did not arrive
        _record_openid4vp(session, consent=consent, items=items, outcome=OUTCOME_UNDELIVERED, ctx=ctx)
        raise
    accepted = 200 <= fetched.status < 300
    outcome = "delivered" if accepted else f"refused:{_verifier_error(fetched)}"
    submission = _record_openid4vp(session, consent=consent, items=items, outcome=outcome, ctx=ctx)
    body = fetched.json() if accepted else {}
    redirect = body.get("redirect_uri") if isinstance(body, dict) else None
    return {"submission_id": submission.id, "outcome": outcome, "redirect_uri": redirect}


def _record_openid4vp(session: Session, *, consent: Consent, items: list[dict[str, Any]], outcome: str, ctx: WalletServices) -> Any:
    return record_submission(
        session,
        holder_id=consent.holder_id,
        kind=KIND_OPENID4VP,
        recipient_name=consent.recipient_name,
        recipient_id=consent.recipient_id,
        purpose=consent.purpose,
        credentials=_claim_record(items),
        outcome=outcome,
        now=ctx.now,
    )


def prepared_items(consent: Consent, ctx: WalletServices) -> tuple[str, list[dict[str, Any]]]:
    if consent.sealed_prepared is None:
        raise Replayed("prepare this consent first")
    prepared = open_json(ctx.sealer, consent.sealed_prepared, table=TABLE, row_id=consent.id, field="prepared")
    return prepared["device_id"], prepared["items"]


def signed_items(session: Session, *, consent: Consent, body: dict[str, Any], ctx: WalletServices) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The prepared items and their verified KB-JWTs, for a consent still prepared and usable."""
    _usable_consent(consent, ctx.now, status="prepared")
    device_id, items = prepared_items(consent, ctx)
    device = session.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        raise DeviceRevoked("the device this presentation was prepared for has been revoked")
    return items, _signed_kb_jwts(items, body, device)

