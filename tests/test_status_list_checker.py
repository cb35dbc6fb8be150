"""The verifier's status check against real signed status list tokens."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import Session

from issuers.status_lists import StatusListAllocator, build_status_list_token, set_status
from keys.errors import JWSKeyUnknown
from keys.jws import Signer, VerificationKey, generate_private_key
from schemas.errors import CredentialRevoked, CredentialSuspended, Malformed, StatusUnavailable
from schemas.status_list import (
    INVALID,
    STATUS_LIST_JWT_TYP,
    STATUS_LIST_MEDIA_TYPE,
    SUSPENDED,
    VALID,
    encode_status_list,
)
from verifiers.status_check import StatusListChecker, StatusResult

URI = "https://ecert.example/status-lists/list-1"
NOW = 1_750_000_000
#: entry i has STATUSES[i]: 0 valid, 1 revoked, 2 suspended, 3 application specific
STATUSES = [VALID, INVALID, SUSPENDED, 3, VALID, VALID, VALID, VALID]


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"), kid="list-signer")


@pytest.fixture(scope="module")
def stranger() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"), kid="list-signer")


@dataclass
class Clock:
    now: int = NOW

    def __call__(self) -> int:
        return self.now


@dataclass
class Publisher:
    """Serves status list tokens by URI and counts fetches."""

    responses: dict[str, tuple[str, str]] = field(default_factory=dict)
    fetches: int = 0

    def __call__(self, uri: str) -> tuple[str, str]:
        self.fetches += 1
        if uri not in self.responses:
            raise ConnectionError(f"no route to {uri}")
        return self.responses[uri]


def _token(signer: Signer, *, sub: str = URI, iat: int = NOW, exp: int | None = NOW + 3600, ttl: int | None = 300,
           status_list: Any = None, typ: str = STATUS_LIST_JWT_TYP) -> str:
    payload: dict[str, Any] = {"sub": sub, "iat": iat,
                               "status_list": status_list or encode_status_list(STATUSES, bits=2)}
    if exp is not None:
        payload["exp"] = exp
    if ttl is not None:
        payload["ttl"] = ttl
    return signer.sign_compact({"typ": typ}, payload)


def _claim(idx: int, uri: str = URI) -> dict[str, Any]:
    return {"status_list": {"idx": idx, "uri": uri}}


def _checker(publisher: Publisher, signer: Signer, clock: Clock, max_cache_s: int = 600) -> StatusListChecker:
    trusted = signer.verification_key()

    def resolve(header: dict[str, Any], unverified_payload: dict[str, Any]) -> VerificationKey:
        if header.get("kid") != trusted.kid:
            raise JWSKeyUnknown(f"unknown kid {header.get('kid')}")
        return trusted

    return StatusListChecker(publisher, resolve, clock, max_cache_s)


def _serve(publisher: Publisher, token: str, content_type: str = STATUS_LIST_MEDIA_TYPE, uri: str = URI) -> None:
    publisher.responses[uri] = (content_type, token)


def test_valid_entry(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer))
    assert _checker(publisher, signer, clock).check(_claim(0)) == StatusResult(
        status=VALID, list_uri=URI, idx=0, fetched_at=NOW, produced_at=NOW
    )


def test_revoked_entry(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer))
    with pytest.raises(CredentialRevoked) as caught:
        _checker(publisher, signer, Clock()).check(_claim(1))
    assert caught.value.code == "revoked"


def test_suspended_entry(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer))
    with pytest.raises(CredentialSuspended) as caught:
        _checker(publisher, signer, Clock()).check(_claim(2))
    assert caught.value.code == "suspended"


def test_application_specific_status_is_not_valid(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer))
    with pytest.raises(StatusUnavailable):
        _checker(publisher, signer, Clock()).check(_claim(3))


def test_index_out_of_range(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer))
    with pytest.raises(StatusUnavailable, match="outside"):
        _checker(publisher, signer, Clock()).check(_claim(len(STATUSES)))


def test_expired_list(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer, exp=NOW - 1))
    with pytest.raises(StatusUnavailable, match="expired"):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_list_issued_in_the_future(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer, iat=NOW + 3600, exp=NOW + 7200))
    with pytest.raises(StatusUnavailable, match="future"):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_bad_signature(signer: Signer, stranger: Signer) -> None:
    publisher = Publisher()
    # same kid, different key: the resolver hands back the trusted key and the maths fails
    _serve(publisher, _token(stranger))
    with pytest.raises(StatusUnavailable, match="verification"):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_tampered_list(signer: Signer) -> None:
    publisher = Publisher()
    header, _, signature = _token(signer).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(
        {"sub": URI, "iat": NOW, "exp": NOW + 3600, "status_list": encode_status_list([VALID] * 8, bits=2)}
    ).encode()).rstrip(b"=").decode()
    _serve(publisher, f"{header}.{forged}.{signature}")
    with pytest.raises(StatusUnavailable):
        _checker(publisher, signer, Clock()).check(_claim(1))


def test_untrusted_signer(signer: Signer) -> None:
    publisher = Publisher()
    other = Signer.from_private_key(generate_private_key("ES256"), kid="someone-else")
    _serve(publisher, _token(other))
    with pytest.raises(StatusUnavailable):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_wrong_sub(signer: Signer) -> None:
    publisher = Publisher()
    # a genuine list of the same issuer, served under another list's URI
    _serve(publisher, _token(signer, sub="https://ecert.example/status-lists/list-2"))
    with pytest.raises(StatusUnavailable, match="sub"):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_wrong_typ(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer, typ="JWT"))
    with pytest.raises(StatusUnavailable):
        _checker(publisher, signer, Clock()).check(_claim(0))


@pytest.mark.parametrize("content_type", ["application/jwt", "text/plain", "application/json"])
def test_wrong_content_type(signer: Signer, content_type: str) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer), content_type=content_type)
    with pytest.raises(StatusUnavailable, match="not application/statuslist"):
        _checker(publisher, signer, Clock()).check(_claim(0))


def test_content_type_parameters_are_ignored(signer: Signer) -> None:
    publisher = Publisher()
    _serve(publisher, _token(signer), content_type="Application/StatusList+JWT; charset=utf-8")
    assert _checker(publisher, signer, Clock()).check(_claim(0)).status == VALID


def test_fetch_failure(signer: Signer) -> None:
    with pytest.raises(StatusUnavailable, match="could not be fetched"):
        _checker(Publisher(), signer, Clock()).check(_claim(0))


def test_malformed_list_in_a_signed_token(signer: Signer) -> None:
    publisher = Publisher()
    bomb = base64.urlsafe_b64encode(zlib.compress(bytes(64 << 20), 9)).rstrip(b"=").decode()
    _serve(publisher, _token(signer, status_list={"bits": 2, "lst": bomb}))
    with pytest.raises(StatusUnavailable, match="inflates past"):
        _checker(publisher, signer, Clock()).check(_claim(0))


@pytest.mark.parametrize(
    "claim",
    [None, {}, {"status_list": None}, {"status_list": {"uri": URI}}, {"status_list": {"idx": -1, "uri": URI}},
     {"status_list": {"idx": True, "uri": URI}}, {"status_list": {"idx": "1", "uri": URI}},
     {"status_list": {"idx": 1}}],
)
def test_malformed_status_claim(signer: Signer, claim: Any) -> None:
    with pytest.raises(Malformed):
        _checker(Publisher(), signer, Clock()).check(claim)


def test_cached_within_ttl_and_refetched_after(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer, ttl=300))
    checker = _checker(publisher, signer, clock, max_cache_s=600)
    checker.check(_claim(0))
    clock.now += 299
    checker.check(_claim(0))
    with pytest.raises(CredentialRevoked):
        checker.check(_claim(1))
    assert publisher.fetches == 1
    # the issuer reinstates entry 1 and the verifier only learns it after the ttl
    _serve(publisher, _token(signer, iat=clock.now, status_list=encode_status_list([0] * 8, bits=2)))
    clock.now = NOW + 300
    result = checker.check(_claim(1))
    assert publisher.fetches == 2
    assert result.fetched_at == NOW + 300


def test_cache_time_is_capped_by_max_cache_s(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer, ttl=43200))
    checker = _checker(publisher, signer, clock, max_cache_s=60)
    checker.check(_claim(0))
    clock.now += 59
    checker.check(_claim(0))
    assert publisher.fetches == 1
    clock.now += 1
    checker.check(_claim(0))
    assert publisher.fetches == 2


def test_cached_list_is_not_used_past_its_exp(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer, exp=NOW + 100, ttl=3600))
    checker = _checker(publisher, signer, clock, max_cache_s=3600)
    checker.check(_claim(0))
    clock.now += 100
    with pytest.raises(StatusUnavailable, match="expired"):
        checker.check(_claim(0))
    assert publisher.fetches == 2


def test_a_failed_refetch_does_not_fall_back_to_the_stale_list(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer, ttl=60))
    checker = _checker(publisher, signer, clock)
    checker.check(_claim(0))
    publisher.responses.clear()
    clock.now += 61
    with pytest.raises(StatusUnavailable, match="could not be fetched"):
        checker.check(_claim(0))


def test_offline_verification_from_lists_downloaded_earlier(signer: Signer) -> None:
    publisher, clock = Publisher(), Clock()
    _serve(publisher, _token(signer, ttl=60, exp=NOW + 86400))
    online = _checker(publisher, signer, clock)
    online.refresh(URI)  # the desk downloads its lists at the start of the day
    saved = {uri: (cached.token, cached.fetched_at) for uri, cached in online.cached_statuses().items()}

    # later, a new process with no network restores them
    offline_clock = Clock(NOW + 7200)
    unreachable = Publisher()
    desk = _checker(unreachable, signer, offline_clock)
    for uri, (token, fetched_at) in saved.items():
        desk.load_token(uri, token, fetched_at=fetched_at)
    assert desk.check(_claim(0), offline=True).fetched_at == NOW
    with pytest.raises(CredentialRevoked):
        desk.check(_claim(1), offline=True)
    assert unreachable.fetches == 0
    # an offline check never fetches a list it does not have, and never uses an expired one
    with pytest.raises(StatusUnavailable):
        desk.check(_claim(0, uri="https://ecert.example/status-lists/other"), offline=True)
    offline_clock.now = NOW + 86400
    with pytest.raises(StatusUnavailable):
        desk.check(_claim(0), offline=True)
    assert unreachable.fetches == 0


def test_load_token_verifies_like_a_fetch(signer: Signer, stranger: Signer) -> None:
    desk = _checker(Publisher(), signer, Clock())
    with pytest.raises(StatusUnavailable):
        desk.load_token(URI, _token(stranger))
    assert URI not in desk.cached_statuses()


def test_end_to_end_with_the_issuers_list(session: Session, signer: Signer) -> None:
    allocator = StatusListAllocator()
    holders = [allocator.allocate(session, kid=signer.kid, family="tax", list_size=1 << 17) for _ in range(3)]
    session.commit()
    set_status(session, list_id=holders[1].list_id, idx=holders[1].idx, status=INVALID)
    set_status(session, list_id=holders[2].list_id, idx=holders[2].idx, status=SUSPENDED)
    session.commit()
    uri = "https://ecert.example" + holders[0].uri_path
    publisher, clock = Publisher(), Clock()
    _serve(publisher, build_status_list_token(
        session, list_id=holders[0].list_id, signer=signer, uri=uri, now=NOW, ttl_s=300, validity_s=86400
    ), uri=uri)
    checker = _checker(publisher, signer, clock)
    assert checker.check(_claim(holders[0].idx, uri)).status == VALID
    with pytest.raises(CredentialRevoked):
        checker.check(_claim(holders[1].idx, uri))
    with pytest.raises(CredentialSuspended):
        checker.check(_claim(holders[2].idx, uri))
    assert publisher.fetches == 1


@pytest.mark.parametrize("header", [{"alg": "none", "typ": STATUS_LIST_JWT_TYP},
                                    {"alg": "ES256", "typ": STATUS_LIST_JWT_TYP, "jku": "https://evil/jwks"}])
def test_algorithm_and_key_injection_refused_before_key_resolution(signer: Signer, header: dict[str, Any]) -> None:
    def b64(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    resolved: list[dict[str, Any]] = []

    def resolve(h: dict[str, Any], unverified_payload: dict[str, Any]) -> VerificationKey:
        resolved.append(h)
        return signer.verification_key()

    body = b64({"sub": URI, "iat": NOW, "status_list": encode_status_list(STATUSES, bits=2)})
    publisher = Publisher()
    _serve(publisher, f"{b64(header)}.{body}.")
    with pytest.raises(StatusUnavailable):
        StatusListChecker(publisher, resolve, Clock(), 300).check(_claim(0))
    assert resolved == []
