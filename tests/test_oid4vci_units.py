"""OpenID4VCI domain functions called directly: offers, codes, tokens, nonces, proofs, metadata."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.models import IssuedCredential
from issuers.oid4vci.codes import hash_secret
from issuers.oid4vci.credential_request import CredentialRequest, ProofPolicy, issue_requested_credential
from issuers.oid4vci.errors import (
    CredentialRequestDenied,
    InvalidGrant,
    InvalidNonce,
    InvalidProof,
    InvalidToken,
    InvalidTokenRequest,
    UnsupportedGrantType,
)
from issuers.oid4vci.metadata import credential_issuer_metadata
from issuers.oid4vci.models import MAX_TX_CODE_FAILURES, Oid4vciNonce, Oid4vciOffer
from issuers.oid4vci.nonces import consume_nonce, issue_nonce
from issuers.oid4vci.offers import (
    PRE_AUTHORIZED_GRANT,
    OfferCreated,
    create_offer,
    offer_by_reference,
    open_subject,
)
from issuers.oid4vci.proofs import PROOF_TYP, verify_proof_jwt
from qr_symbols.images import render_png
from issuers.oid4vci.tokens import (
    TokenRequest,
    authenticate_access_token,
    parse_token_request,
    redeem_pre_authorized_code,
)
from issuers.type_metadata import claim_path
from keys.b64 import b64url_encode
from keys.jws import Signer, generate_private_key, json_compact
from keys.sealing import SealError
from schemas.errors import Forbidden, NoRecord, NotFound, UnknownCertificateType
from tests.issuing_helpers import person_with_record
from wallet_api.wiring.issuing import issuer_services
from wallet_api.state import AppState

TTL = timedelta(minutes=10)
ABSTRACT = "resident_registration_abstract"
AUD = "https://ecert.test"


@pytest.fixture
def state(client) -> AppState:  # type: ignore[no-untyped-def]
    return client.app.state.ecert


def _offer(state: AppState, session: Session, *, tx: bool = False, by_reference: bool = False, now: Any = None,
           type_ids: tuple[str, ...] = (ABSTRACT,)) -> tuple[OfferCreated, Any]:
    person = person_with_record(state, type_ids[0])
    created = create_offer(
        session, context=issuer_services(state, session), type_ids=type_ids, subject=Subject(rrn=person.rrn),
        with_tx_code=tx, now=now or state.clock.now(), ttl=TTL, created_by="test", by_reference=by_reference,
    )
    return created, person


# --- offers -----------------------------------------------------------------------------
def test_offer_by_value_carries_the_offer_json(state: AppState, session: Session) -> None:
    created, _ = _offer(state, session, tx=True)
    parsed = urlparse(created.offer_uri)
    assert parsed.scheme == "openid-credential-offer"
    offer = json.loads(parse_qs(parsed.query)["credential_offer"][0])
    assert offer == created.credential_offer
    assert offer["credential_issuer"] == AUD
    assert offer["credential_configuration_ids"] == [ABSTRACT]
    grant = offer["grants"][PRE_AUTHORIZED_GRANT]
    assert grant["pre-authorized_code"] == created.pre_authorized_code
    assert grant["tx_code"]["input_mode"] == "numeric" and grant["tx_code"]["length"] == 6
    assert created.tx_code is not None and len(created.tx_code) == 6 and created.tx_code.isdigit()
    assert created.tx_code not in created.offer_uri.replace(created.pre_authorized_code, "")


def test_offer_row_holds_no_secret_in_clear(state: AppState, session: Session) -> None:
    created, person = _offer(state, session, tx=True)
    row = session.get(Oid4vciOffer, created.offer_id)
    assert row is not None
    assert row.code_hash == hash_secret(created.pre_authorized_code)
    assert row.code_sealed is None and row.reference_hash is None
    assert row.tx_code_hash is not None and created.tx_code not in row.tx_code_hash
    assert person.rrn.encode() not in row.subject_sealed
    sealer = issuer_services(state, session).sealer
    assert open_subject(row, sealer).rrn == person.rrn
    # the sealed subject is bound to its row: copied into another offer it does not open
    other, _ = _offer(state, session)
    other_row = session.get(Oid4vciOffer, other.offer_id)
    assert other_row is not None
    other_row.subject_sealed = row.subject_sealed
    with pytest.raises(SealError):
        open_subject(other_row, sealer)


def test_offer_by_reference_is_served_until_redeemed(state: AppState, session: Session) -> None:
    created, _ = _offer(state, session, by_reference=True)
    assert created.credential_offer_uri is not None
    assert "credential_offer_uri=" in created.offer_uri and "credential_offer=" not in created.offer_uri
    reference = created.credential_offer_uri.rsplit("/", 1)[1]
    sealer = issuer_services(state, session).sealer
    now = state.clock.now()
    served = offer_by_reference(session, reference=reference, issuer_id=AUD, sealer=sealer, now=now)
    assert served == created.credential_offer
    with pytest.raises(NotFound):
        offer_by_reference(session, reference=reference, issuer_id=AUD, sealer=sealer, now=now + TTL)
    redeem_pre_authorized_code(session, request=TokenRequest(created.pre_authorized_code, None), now=now, ttl=TTL)
    with pytest.raises(NotFound):
        offer_by_reference(session, reference=reference, issuer_id=AUD, sealer=sealer, now=now)


def test_offer_refuses_unknown_qr_and_recordless_types(state: AppState, session: Session) -> None:
    context = issuer_services(state, session)
    person = state.population.people()[0]  # type: ignore[attr-defined]
    kwargs: dict[str, Any] = dict(subject=Subject(rrn=person.rrn), with_tx_code=False, now=state.clock.now(), ttl=TTL, created_by="t")
    with pytest.raises(UnknownCertificateType):
        create_offer(session, context=context, type_ids=["no_such_type"], **kwargs)
    with pytest.raises(UnknownCertificateType):
        create_offer(session, context=context, type_ids=["customs_declaration"], **kwargs)
    with pytest.raises(NoRecord):
        create_offer(session, context=context, type_ids=[ABSTRACT], subject=Subject(rrn="000000-0000000"),
                     with_tx_code=False, now=state.clock.now(), ttl=TTL, created_by="t")
    with pytest.raises(Forbidden):
        create_offer(session, context=context, type_ids=[ABSTRACT], agency_id="nts", **kwargs)
    assert session.scalar(select(func.count()).select_from(Oid4vciOffer)) == 0


def test_offer_qr_png_decodes_to_the_offer_uri(state: AppState, session: Session) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from io import BytesIO

    from PIL import Image

    created, _ = _offer(state, session, tx=True)
    png = render_png(created.offer_uri)
    assert png.startswith(b"\x89PNG")
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [d.text for d in decoded] == [created.offer_uri]


# --- token ------------------------------------------------------------------------------
def test_parse_token_request_errors() -> None:
    with pytest.raises(InvalidTokenRequest):
        parse_token_request({})
    with pytest.raises(UnsupportedGrantType):
        parse_token_request({"grant_type": "authorization_code", "code": "x"})
    with pytest.raises(InvalidTokenRequest):
        parse_token_request({"grant_type": PRE_AUTHORIZED_GRANT})
    parsed = parse_token_request({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c", "tx_code": "123456"})
    assert parsed == TokenRequest("c", "123456")


def test_code_is_single_use_and_token_authenticates(state: AppState, session: Session) -> None:
    created, _ = _offer(state, session)
    now = state.clock.now()
    issued = redeem_pre_authorized_code(session, request=TokenRequest(created.pre_authorized_code, None), now=now, ttl=TTL)
    assert issued.response()["token_type"] == "Bearer" and issued.expires_in == 600
    with pytest.raises(InvalidGrant):
        redeem_pre_authorized_code(session, request=TokenRequest(created.pre_authorized_code, None), now=now, ttl=TTL)
    grant = authenticate_access_token(session, access_token=issued.access_token, now=now)
    assert grant.offer_id == created.offer_id and grant.configuration_ids == (ABSTRACT,)
    with pytest.raises(InvalidToken):
        authenticate_access_token(session, access_token=issued.access_token, now=now + TTL)
    with pytest.raises(InvalidToken):
        authenticate_access_token(session, access_token="forged", now=now)


def test_expired_code_is_refused(state: AppState, session: Session) -> None:
    created, _ = _offer(state, session)
    with pytest.raises(InvalidGrant):
        redeem_pre_authorized_code(
            session, request=TokenRequest(created.pre_authorized_code, None), now=state.clock.now() + TTL, ttl=TTL
        )


def test_tx_code_rules(state: AppState, session: Session) -> None:
    created, _ = _offer(state, session, tx=True)
    code, now = created.pre_authorized_code, state.clock.now()
    assert created.tx_code is not None
    with pytest.raises(InvalidTokenRequest):
        redeem_pre_authorized_code(session, request=TokenRequest(code, None), now=now, ttl=TTL)
    wrong = f"{(int(created.tx_code) + 1) % 10**6:06d}"
    for _ in range(MAX_TX_CODE_FAILURES):
        with pytest.raises(InvalidGrant):
            redeem_pre_authorized_code(session, request=TokenRequest(code, wrong), now=now, ttl=TTL)
    # five wrong guesses killed the code: the right PIN no longer helps
    with pytest.raises(InvalidGrant):
        redeem_pre_authorized_code(session, request=TokenRequest(code, created.tx_code), now=now, ttl=TTL)

    untouched, _ = _offer(state, session)
    with pytest.raises(InvalidTokenRequest):
        redeem_pre_authorized_code(session, request=TokenRequest(untouched.pre_authorized_code, "123456"), now=now, ttl=TTL)


def test_concurrent_redemptions_yield_one_token(state: AppState) -> None:
    with Session(state.engine) as session:
        created, _ = _offer(state, session)
    now = state.clock.now()
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def redeem() -> None:
        with Session(state.engine) as session:
            barrier.wait()
            try:
                redeem_pre_authorized_code(session, request=TokenRequest(created.pre_authorized_code, None), now=now, ttl=TTL)
                outcomes.append("ok")
            except InvalidGrant:
                outcomes.append("refused")

    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]


def test_concurrent_fetches_of_one_configuration_issue_once(state: AppState) -> None:
    with Session(state.engine) as session:
        created, _ = _offer(state, session)
        now = state.clock.now()
        token = redeem_pre_authorized_code(session, request=TokenRequest(created.pre_authorized_code, None), now=now, ttl=TTL)
        grant = authenticate_access_token(session, access_token=token.access_token, now=now)
        nonces = [issue_nonce(session, now=now, ttl=TTL) for _ in range(3)]
    holder = _holder()
    outcomes: list[str] = []
    barrier = threading.Barrier(len(nonces))

    def fetch(nonce: str) -> None:
        proof = _sign({"typ": PROOF_TYP, "jwk": holder.public_jwk}, _claims(nonce=nonce), holder)
        with Session(state.engine, expire_on_commit=False) as session:
            context = issuer_services(state, session)
            barrier.wait()
            try:
                issue_requested_credential(
                    session, context=context, grant=grant, request=CredentialRequest(ABSTRACT, proof),
                    policy=ProofPolicy(clock_skew_s=60, max_age_s=300), now=now,
                )
                outcomes.append("issued")
            except CredentialRequestDenied:
                outcomes.append("denied")

    threads = [threading.Thread(target=fetch, args=(n,)) for n in nonces]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["denied", "denied", "issued"]
    with Session(state.engine) as session:
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 1


# --- nonces -----------------------------------------------------------------------------
def test_nonce_single_use_and_expiry(state: AppState, session: Session) -> None:
    now = state.clock.now()
    nonce = issue_nonce(session, now=now, ttl=timedelta(seconds=300))
    assert session.get(Oid4vciNonce, nonce) is None and session.get(Oid4vciNonce, hash_secret(nonce)) is not None
    consume_nonce(session, nonce=nonce, now=now)
    session.commit()
    with pytest.raises(InvalidNonce):
        consume_nonce(session, nonce=nonce, now=now)
    stale = issue_nonce(session, now=now, ttl=timedelta(seconds=300))
    with pytest.raises(InvalidNonce):
        consume_nonce(session, nonce=stale, now=now + timedelta(seconds=300))
    with pytest.raises(InvalidNonce):
        consume_nonce(session, nonce="never-issued", now=now)
    session.rollback()
    # sweeping expired nonces is the route's (bounded, rate limited): tests/test_anonymous_rows.py


def test_unspent_nonce_survives_a_rollback(state: AppState, session: Session) -> None:
    now = state.clock.now()
    nonce = issue_nonce(session, now=now, ttl=timedelta(seconds=300))
    consume_nonce(session, nonce=nonce, now=now)
    session.rollback()  # what the credential endpoint does when issuance fails
    consume_nonce(session, nonce=nonce, now=now)


# --- proofs -----------------------------------------------------------------------------
def _sign(header: dict[str, Any], payload: dict[str, Any], signer: Signer) -> str:
    return signer.sign_compact(header, payload, include_kid=False)


def _holder(alg: str = "ES256") -> Signer:
    return Signer.from_private_key(generate_private_key(alg))


def _claims(**over: Any) -> dict[str, Any]:
    return {"aud": AUD, "iat": int(time.time()), "nonce": "n-1", **over}


def _verify(token: Any) -> Any:
    return verify_proof_jwt(token, audience=AUD, now=int(time.time()), clock_skew_s=60, max_age_s=300)


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_good_proof(alg: str) -> None:
    holder = _holder(alg)
    verified = _verify(_sign({"typ": PROOF_TYP, "jwk": holder.public_jwk}, _claims(), holder))
    assert verified.holder_jwk == holder.public_jwk and verified.nonce == "n-1"


def _unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64url_encode(json_compact(header))}.{b64url_encode(json_compact(payload))}.{b64url_encode(signature)}"


def _bad_proofs() -> dict[str, str]:
    holder, other = _holder(), _holder()
    h = {"typ": PROOF_TYP, "jwk": holder.public_jwk}
    private_jwk = dict(holder.public_jwk, d=b64url_encode(b"\x01" * 32))
    return {
        "alg none": _unsigned({"alg": "none", **h}, _claims()),
        "HS256": _unsigned({"alg": "HS256", **h}, _claims(), b"\x00" * 32),
        "wrong typ": _sign({"typ": "JWT", "jwk": holder.public_jwk}, _claims(), holder),
        "wrong aud": _sign(h, _claims(aud="https://evil.example"), holder),
        "no aud": _sign(h, {"iat": int(time.time()), "nonce": "n"}, holder),
        "old iat": _sign(h, _claims(iat=int(time.time()) - 3600), holder),
        "future iat": _sign(h, _claims(iat=int(time.time()) + 3600), holder),
        "kid not jwk": _sign({"typ": PROOF_TYP, "kid": "did:example:123#key-1"}, _claims(), holder),
        "kid beside jwk": _sign({**h, "kid": "k1"}, _claims(), holder),
        "x5c": _sign({**h, "x5c": ["MIIB"]}, _claims(), holder),
        "jwk of another key": _sign({"typ": PROOF_TYP, "jwk": other.public_jwk}, _claims(), holder),
        "private jwk": _sign({"typ": PROOF_TYP, "jwk": private_jwk}, _claims(), holder),
        "not a JWS": "not-a-jws",
    }


@pytest.mark.parametrize("case", sorted(_bad_proofs()))
def test_bad_proof_is_invalid_proof(case: str) -> None:
    with pytest.raises(InvalidProof):
        _verify(_bad_proofs()[case])


def test_proof_without_nonce_is_invalid_nonce() -> None:
    holder = _holder()
    with pytest.raises(InvalidNonce):
        _verify(_sign({"typ": PROOF_TYP, "jwk": holder.public_jwk}, {"aud": AUD, "iat": int(time.time())}, holder))


# --- metadata ---------------------------------------------------------------------------
def test_claim_paths_for_nested_and_array_claims() -> None:
    assert claim_path("name") == ["name"]
    assert claim_path("address_history[]") == ["address_history", None]
    assert claim_path("address_history[].address") == ["address_history", None, "address"]
    assert claim_path("licence.categories[]") == ["licence", "categories", None]


def test_metadata_has_every_sd_jwt_type(state: AppState) -> None:
    metadata = credential_issuer_metadata(state.registry, issuer_id=AUD, signing_algs=["ES256"])
    configurations = metadata["credential_configurations_supported"]
    expected = {t.id for t in state.registry if t.delivery == "sd-jwt-vc"}
    assert set(configurations) == expected and "customs_declaration" not in configurations
    abstract = configurations[ABSTRACT]
    paths = [c["path"] for c in abstract["credential_metadata"]["claims"]]
    assert ["address_history", None, "address"] in paths
    assert {d["locale"] for d in abstract["credential_metadata"]["display"]} == {"ko", "en"}
