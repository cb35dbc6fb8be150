"""The offline scanner's trust file (docs/qr-format.md §13): issuer keys with their validity,
status list tokens with their fetch time, and the QR data versions they were exported for.

``load_trust_file`` validates the whole document before anything in it is used (a private
key member, a hash of other data tables, a malformed key: the file is refused), and
``offline_services`` turns it into the ``QrServices`` of an offline desk: issuer keys valid
at the scan time, status lists verified like fetched ones, and no network at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from keys.b64 import b64url_encode
from keys.errors import JWSKeyUnknown
from keys.jws import VerificationKey
from schemas.errors import InvalidInput, IssuerUntrusted, StatusUnavailable
from schemas.qr_payload import FORMAT_VERSION, default_type_table
from verifiers.qr.presentation_signatures import IssuerKeyIndex
from schemas.qr_payload.claim_keys import CLAIM_KEYS_FILE
from schemas.qr_payload.zdict import PRESET_DICTIONARY
from verifiers.qr.context import QrServices
from verifiers.status_check import StatusListChecker

TRUST_FILE_FORMAT = "ecert-qr-trust"
TRUST_FILE_VERSION = 1
#: status list URI = the issuer's status_base_url + this + base64url(list id) (spec §11)
STATUS_LIST_PATH = "/status-lists/"
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


class TrustFileInvalid(InvalidInput):
    code, title = "trust_file_invalid", "Trust file invalid"


@dataclass(frozen=True)
class TrustedKey:
    key: VerificationKey
    not_before: int | None
    not_after: int | None

    def valid_at(self, now: int) -> bool:
        return (self.not_before is None or self.not_before <= now) and (self.not_after is None or now < self.not_after)


@dataclass(frozen=True)
class TrustedIssuer:
    iss: str
    status_base_url: str | None
    keys: tuple[TrustedKey, ...]


@dataclass(frozen=True)
class TrustedStatusList:
    uri: str
    fetched_at: int
    token: str


@dataclass(frozen=True)
class TrustFile:
    exported_at: int
    issuers: dict[str, TrustedIssuer]
    status_lists: tuple[TrustedStatusList, ...]


def data_fingerprints() -> dict[str, Any]:
    """What a trust file names about the QR data it was exported for (this installation's)."""
    return {
        "qr_format_version": FORMAT_VERSION,
        "claim_key_tables": {"version": default_type_table().version,
                             "sha256": hashlib.sha256(CLAIM_KEYS_FILE.read_bytes()).hexdigest()},
        "preset_dictionary": {"sha256": hashlib.sha256(PRESET_DICTIONARY).hexdigest()},
    }


def _time(value: Any, what: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TrustFileInvalid(f"{what} must be integer seconds since 1970")
    return value


def _key(entry: Any, iss: str) -> TrustedKey:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("jwk"), Mapping):
        raise TrustFileInvalid(f"issuer {iss!r}: each key is an object with a jwk")
    jwk = dict(entry["jwk"])
    if _PRIVATE_MEMBERS & set(jwk):
        raise TrustFileInvalid(f"issuer {iss!r}: a key has private members; refusing the whole file")
    if not isinstance(jwk.get("kid"), str):
        raise TrustFileInvalid(f"issuer {iss!r}: each key needs a kid")
    try:
        key = VerificationKey.from_jwk(jwk, kid=jwk["kid"])
    except Exception:  # any key the key layer cannot build is a broken file, named as such
        raise TrustFileInvalid(f"issuer {iss!r}: key {jwk['kid']!r} is not a usable public key") from None
    if jwk.get("alg") is not None and jwk["alg"] != key.alg:
        raise TrustFileInvalid(f"issuer {iss!r}: key {jwk['kid']!r} alg does not match its type")
    return TrustedKey(key, _time(entry.get("not_before"), "not_before", optional=True),
                      _time(entry.get("not_after"), "not_after", optional=True))


def load_trust_file(text: str) -> TrustFile:
    try:
        document = json.loads(text)
    except (ValueError, TypeError):
        raise TrustFileInvalid("the trust file is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != TRUST_FILE_FORMAT:
        raise TrustFileInvalid(f"not an {TRUST_FILE_FORMAT} file")
    if document.get("version") != TRUST_FILE_VERSION:
        raise TrustFileInvalid(f"trust file version {document.get('version')!r} is not supported")
    ours = data_fingerprints()
    for name, value in ours.items():
        if document.get(name) != value:
            raise TrustFileInvalid(f"the file was exported for other QR data ({name}): it would misread claims")
    issuers: dict[str, TrustedIssuer] = {}
    for entry in document.get("issuers") or []:
        iss = entry.get("iss") if isinstance(entry, Mapping) else None
        if not isinstance(iss, str) or not iss or iss in issuers:
            raise TrustFileInvalid("each issuer has a distinct non-empty iss")
        base = entry.get("status_base_url")
        if base is not None and not isinstance(base, str):
            raise TrustFileInvalid(f"issuer {iss!r}: status_base_url must be text")
        issuers[iss] = TrustedIssuer(iss, base, tuple(_key(key, iss) for key in entry.get("keys") or []))
    lists = []
    for entry in document.get("status_lists") or []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("uri"), str) or not isinstance(entry.get("token"), str):
            raise TrustFileInvalid("each status list has a uri and a token")
        lists.append(TrustedStatusList(entry["uri"], _time(entry.get("fetched_at"), "fetched_at") or 0, entry["token"]))
    return TrustFile(_time(document.get("exported_at"), "exported_at") or 0, issuers, tuple(lists))


def offline_services(trust: TrustFile, *, now: int) -> QrServices:
    """Everything an offline desk verifies with: the file's keys valid at ``now`` and its lists."""
    index = IssuerKeyIndex(
        (issuer.iss, trusted.key) for issuer in trust.issuers.values() for trusted in issuer.keys if trusted.valid_at(now)
    )

    def status_key(header: dict[str, Any], payload: dict[str, Any]) -> VerificationKey:
        kid, token_iss = header.get("kid"), payload.get("iss")
        for issuer in trust.issuers.values():
            if issuer.status_base_url is None or token_iss not in (issuer.status_base_url, issuer.iss):
                continue
            for trusted in issuer.keys:
                if trusted.key.kid == kid and trusted.valid_at(now):
                    return trusted.key
        raise JWSKeyUnknown("no key in the trust file signs this status list")

    def no_network(uri: str) -> tuple[str, str]:
        raise StatusUnavailable(f"offline: {uri} is not in the trust file")

    checker = StatusListChecker(no_network, status_key, lambda: now)
    for status_list in trust.status_lists:
        try:
            checker.load_token(status_list.uri, status_list.token, fetched_at=status_list.fetched_at)
        except (StatusUnavailable, IssuerUntrusted):
            continue  # an expired or unverifiable list is as good as none: the check says so per QR

    def status_uri(iss: str, list_id: bytes) -> str | None:
        issuer = trust.issuers.get(iss)
        if issuer is None or issuer.status_base_url is None:
            return None
        return issuer.status_base_url + STATUS_LIST_PATH + b64url_encode(list_id)

    return QrServices(issuer_keys=index, device_key_from_jwk=VerificationKey.from_jwk, status_checker=checker,
                      status_uri=status_uri)
