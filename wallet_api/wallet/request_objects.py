"""Resolving an ``openid4vp://`` request (OpenID4VP 1.0 §5) into a verified request object.

Supported: the request by reference (``request_uri``, GET) or by value (``request``), signed
(``typ: oauth-authz-req+jwt``), with the client identifier prefix ``x509_hash`` (§5.9.3): the
leaf certificate in ``x5c`` must hash to the client_id and its key verifies the signature.
No other prefix is accepted: an unsigned or differently identified request cannot be tied
to a registered relying party, and the wallet only presents to registered ones.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509

from keys.b64 import b64url_encode
from keys.errors import KeyLayerError
from keys.jwk import alg_for_jwk, public_jwk
from keys.jws import SUPPORTED_ALGS, VerificationKey, parse_compact
from schemas.errors import FetchFailed
from verifiers.outbound_http import FAILED
from wallet_api.wallet.errors import RequestObjectInvalid
from wallet_api.wallet.fetching import Fetcher, acceptable_uri

SCHEME = "openid4vp"
REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
REQUEST_OBJECT_MEDIA_TYPE = "application/oauth-authz-req+jwt"
X509_HASH_PREFIX = "x509_hash:"
#: key-bearing header members other than x5c (which x509_hash pins through the client_id)
_REFUSED_HEADER_MEMBERS = frozenset({"jku", "x5u", "jwk", "crit"})
MAX_URI = 4096


@dataclass(frozen=True)
class VerifiedRequest:
    client_id: str
    nonce: str
    state: str | None
    response_uri: str
    dcql_query: dict[str, Any]
    purpose: str | None
    client_name: str | None
    expires_at: int | None


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if values is None:
        return None
    if len(values) != 1:
        raise RequestObjectInvalid(f"{name} appears more than once")
    return values[0]


def _request_jwt(uri: Any, fetcher: Fetcher) -> tuple[str, str]:
    """(client_id from the URI, the request object JWT)."""
    if not isinstance(uri, str) or len(uri) > MAX_URI:
        raise RequestObjectInvalid("uri must be an openid4vp:// request")
    parts = urlsplit(uri)
    if parts.scheme != SCHEME:
        raise RequestObjectInvalid("uri must be an openid4vp:// request")
    params = parse_qs(parts.query, keep_blank_values=True)
    client_id = _single(params, "client_id")
    if not client_id:
        raise RequestObjectInvalid("the request names no client_id")
    by_value = _single(params, "request")
    if by_value:
        return client_id, by_value
    request_uri = _single(params, "request_uri")
    if not request_uri:
        raise RequestObjectInvalid("the request has neither request nor request_uri")
    method = _single(params, "request_uri_method")
    if method not in (None, "get"):
        raise RequestObjectInvalid("only request_uri_method=get is supported")
    fetched = fetcher.get(request_uri, accept=REQUEST_OBJECT_MEDIA_TYPE)
    if fetched.status != 200:
        # the same answer as any other failed fetch: the remote status is not reported back
        raise FetchFailed(FAILED)
    return client_id, fetched.text.strip()


def _x509_hash_key(client_id: str, header: dict[str, Any], now: datetime) -> VerificationKey:
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise RequestObjectInvalid("an x509_hash request carries its certificate in x5c")
    try:
        der = base64.b64decode(chain[0], validate=True)
    except ValueError:
        raise RequestObjectInvalid("x5c is not base64") from None
    if X509_HASH_PREFIX + b64url_encode(hashlib.sha256(der).digest()) != client_id:
        raise RequestObjectInvalid("the certificate does not match the client_id")
    try:
        certificate = x509.load_der_x509_certificate(der)
        jwk = public_jwk(certificate.public_key())  # type: ignore[arg-type]
        key = VerificationKey(kid=None, alg=alg_for_jwk(jwk), public_key=certificate.public_key())  # type: ignore[arg-type]
    except (ValueError, KeyLayerError) as exc:
        raise RequestObjectInvalid(f"unusable certificate: {exc}") from None
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise RequestObjectInvalid("the relying party's certificate is not valid now")
    return key


def _claims(client_id: str, payload: dict[str, Any], now: datetime) -> VerifiedRequest:
    if payload.get("client_id") != client_id:
        raise RequestObjectInvalid("the request object's client_id differs from the request's")
    if payload.get("response_type") != "vp_token":
        raise RequestObjectInvalid("response_type must be vp_token")
    if payload.get("response_mode") != "direct_post":
        raise RequestObjectInvalid("only response_mode direct_post is supported")
    response_uri, nonce = payload.get("response_uri"), payload.get("nonce")
    if not isinstance(response_uri, str) or not acceptable_uri(response_uri):
        raise RequestObjectInvalid("response_uri must be an https URL (or http on this machine)")
    if not isinstance(nonce, str) or not nonce:
        raise RequestObjectInvalid("the request has no nonce")
    exp = payload.get("exp")
    if isinstance(exp, int) and exp <= int(now.timestamp()):
        raise RequestObjectInvalid("the request has expired")
    dcql = payload.get("dcql_query")
    if not isinstance(dcql, dict):
        raise RequestObjectInvalid("the request has no dcql_query")
    state = payload.get("state")
    metadata = payload.get("client_metadata")
    name = metadata.get("client_name") if isinstance(metadata, dict) else None
    purpose = payload.get("ecert_purpose")
    return VerifiedRequest(
        client_id=client_id,
        nonce=nonce,
        state=state if isinstance(state, str) else None,
        response_uri=response_uri,
        dcql_query=dcql,
        purpose=purpose if isinstance(purpose, str) else None,
        client_name=name if isinstance(name, str) else None,
        expires_at=exp if isinstance(exp, int) else None,
    )


def resolve_request(uri: Any, *, fetcher: Fetcher, now: datetime) -> VerifiedRequest:
    client_id, token = _request_jwt(uri, fetcher)
    if not client_id.startswith(X509_HASH_PREFIX):
        raise RequestObjectInvalid("only the x509_hash client identifier prefix is supported")
    try:
        parsed = parse_compact(token)
    except KeyLayerError as exc:
        raise RequestObjectInvalid(f"request object: {exc}") from None
    header = parsed.unverified_header
    if header.get("typ") != REQUEST_OBJECT_TYP:
        raise RequestObjectInvalid(f"request object typ must be {REQUEST_OBJECT_TYP}")
    if header.get("alg") not in SUPPORTED_ALGS or _REFUSED_HEADER_MEMBERS & header.keys():
        raise RequestObjectInvalid("request object algorithm or header members refused")
    key = _x509_hash_key(client_id, header, now)
    if key.alg != header["alg"]:
        raise RequestObjectInvalid("the header's alg does not fit the certificate's key")
    try:
        key.verify(parsed.signing_input, parsed.signature)
        payload = parsed.unverified_claims()
    except KeyLayerError:
        raise RequestObjectInvalid("the request object's signature does not verify") from None
    return _claims(client_id, payload, now)
