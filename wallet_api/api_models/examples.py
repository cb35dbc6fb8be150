"""Request and response examples of the main flows, by operation (path template, methods).

``wallet_api.http.openapi_document`` puts them into the document; ``tests/test_openapi_document``
checks each against its operation's schema, so they cannot drift from the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    summary: str
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    status: str = "200"
    #: the request's media type (the OAuth token endpoint takes a form)
    request_media: str = "application/json"

    def apply(self, operation: dict[str, Any]) -> None:
        if self.request is not None and "requestBody" in operation:
            media = operation["requestBody"].setdefault("content", {}).setdefault(self.request_media, {})
            media["examples"] = {"main": {"summary": self.summary, "value": self.request}}
        if self.response is not None:
            media = operation["responses"][self.status].setdefault("content", {}).setdefault("application/json", {})
            media["examples"] = {"main": {"summary": self.summary, "value": self.response}}


_CHECKS = [
    {"id": "signature", "passed": True, "code": None, "skipped": False},
    {"id": "holder_binding", "passed": True, "code": None, "skipped": False},
    {"id": "status", "passed": True, "code": None, "skipped": False},
]
_VERIFIED = {
    "valid": True,
    "code": None,
    "detail": None,
    "issuer": "https://ecert.example",
    "vct": "https://ecert.example/vct/resident_registration_abstract",
    "type_id": "resident_registration_abstract",
    "claims": {"name": "홍길동", "current_address": "서울특별시 종로구 세종대로 209"},
    "labels": {"name": {"ko": "성명", "en": "Name"}, "current_address": {"ko": "현주소", "en": "Current address"}},
    "validity": {"iat": 1767225600, "exp": 1798761600},
    "status": "valid",
    "status_checked_at": 1764806400,
    "checks": _CHECKS,
}

EXAMPLES: dict[tuple[str, tuple[str, ...]], Example] = {
    ("/v1/admin/offers", ("POST",)): Example(
        "an operator offers a resident registration abstract, with a transaction code",
        request={"type_ids": ["resident_registration_abstract"], "person_id": "P000001", "tx_code": True},
        response={
            "offer_id": "3f1c0e6a9b2d4c7e",
            "offer_uri": "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A…",
            "credential_offer": {
                "credential_issuer": "https://ecert.example",
                "credential_configuration_ids": ["resident_registration_abstract"],
                "grants": {
                    "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
                        "pre-authorized_code": "SplxlOBeZQQYbYS6WxSbIA",
                        "tx_code": {"input_mode": "numeric", "length": 6},
                    }
                },
            },
            "credential_offer_uri": None,
            "tx_code": "493817",
            "expires_at": "2026-01-01T09:10:00Z",
        },
        status="201",
    ),
    ("/token", ("POST",)): Example(
        "the wallet redeems the pre-authorized code",
        request={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": "SplxlOBeZQQYbYS6WxSbIA",
            "tx_code": "493817",
        },
        request_media="application/x-www-form-urlencoded",
        response={"access_token": "czZCaGRSa3F0MzpnWDFmQmF0M2JW", "token_type": "Bearer", "expires_in": 300},
    ),
    ("/nonce", ("POST",)): Example("a fresh c_nonce for the proof", response={"c_nonce": "wKI4LT17ac15ES9bw8ac4"}),
    ("/credential", ("POST",)): Example(
        "one credential for a device key proved with a JWT",
        request={
            "credential_configuration_id": "resident_registration_abstract",
            "proofs": {"jwt": ["eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7fX0.eyJub25jZSI6In0.c2ln"]},
        },
        response={"credentials": [{"credential": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiIifQ.c2ln~WyJzYWx0IiwibmFtZSIsIu2Zjeq4uOuPmSJd~"}]},
    ),
    ("/v1/verify", ("POST",)): Example(
        "a relying party verifies a presentation with key binding",
        request={
            "presentation": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiIifQ.c2ln~WyJzYWx0IiwibmFtZSIsIu2Zjeq4uOuPmSJd~eyJ0eXAiOiJrYitqd3QifQ.e30.c2ln",
            "nonce": "n-0S6_WzA2Mj",
        },
        response={**_VERIFIED, "withheld_claims": ["birth_date"]},
    ),
    ("/v1/qr/verify", ("POST",)): Example(
        "the desk scans an adult check QR",
        request={"text": "EC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B", "profile": "adult_check"},
        response={
            "valid": True,
            "code": None,
            "detail": None,
            "profile": "adult_check",
            "offline": True,
            "type_id": "mobile_id",
            "issuer": "https://ecert.example",
            "claims": {"age_over_19": True, "portrait_sha256": "u3Vv0m2Yxq…"},
            "presented_at": 1767225600,
            "expires_at": 1767225660,
            "replayed": False,
            "first_scanned_at": None,
            "checks": [
                {"id": "signature", "passed": True, "code": None, "skipped": False},
                {"id": "lifetime", "passed": True, "code": None, "skipped": False},
            ],
        },
    ),
    ("/v1/presentation-requests", ("POST",)): Example(
        "a relying party asks for a name and an address (OpenID4VP, DCQL)",
        request={
            "dcql_query": {
                "credentials": [
                    {
                        "id": "abstract",
                        "format": "dc+sd-jwt",
                        "meta": {"vct_values": ["https://ecert.example/vct/resident_registration_abstract"]},
                        "claims": [{"path": ["name"]}, {"path": ["current_address"]}],
                    }
                ]
            },
            "purpose": "계좌 개설 본인 확인",
        },
        response={
            "id": "f4a1c2d3e4b5a6978",
            "uri": "openid4vp://?client_id=x509_san_dns%3Aecert.example&request_uri=https%3A%2F%2Fecert.example%2Fopenid4vp%2Frequests%2Ff4a1c2d3e4b5a6978",
            "request_uri": "https://ecert.example/openid4vp/requests/f4a1c2d3e4b5a6978",
            "expires_at": 1767226200,
        },
        status="201",
    ),
    ("/v1/presentation-requests/{request_id}", ("GET",)): Example(
        "the first poll after the wallet answered",
        response={
            "id": "f4a1c2d3e4b5a6978",
            "status": "done",
            "result": {"abstract": {**_VERIFIED, "match": "full", "missing_claims": []}},
            "result_state": "handed_over",
            "outcome": {"abstract": {"valid": True, "code": None, "match": "full"}},
            "complete": True,
            "error": None,
            "wallet_error": None,
            "purpose": "계좌 개설 본인 확인",
            "expires_at": 1767226200,
        },
    ),
}
