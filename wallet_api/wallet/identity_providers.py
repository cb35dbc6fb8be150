"""Identity assertions: the JWT a simple-authentication provider (간편인증) signs for a person.

An assertion is a compact JWS from a configured provider::

    header  {"alg": "ES256" | "EdDSA", "kid": ..., "typ": "JWT"}
    payload {"iss": provider, "aud": our issuer id, "iat", "exp", "jti",
             "rrn": "900101-1234567", "name": "홍길동", "birth_date": "1990-01-01"}

Only providers in the settings (inline list or JSON file) are trusted, plus, in development
only, the bundled development provider. The key comes from the provider's JWKS by ``kid``
and fixes the algorithm; the token never chooses its own key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from keys.errors import KeyLayerError
from keys.json_document import read_json
from keys.jws import VerificationKey, parse_compact, verify_compact
from wallet_api.settings import Settings
from wallet_api.wallet.errors import IdentityAssertionInvalid


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str
    keys: Mapping[str, VerificationKey]

    def key(self, kid: Any) -> VerificationKey:
        if isinstance(kid, str) and kid in self.keys:
            return self.keys[kid]
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        raise IdentityAssertionInvalid("the assertion's kid is not one of the provider's keys")


@dataclass(frozen=True)
class VerifiedIdentity:
    """A person vouched for by a trusted provider (signature, audience and time checked)."""

    issuer: str
    jti: str
    expires_at: int
    rrn: str
    name: str
    birth_date: str


def provider_from_config(raw: Any) -> IdentityProvider:
    if not isinstance(raw, dict) or not isinstance(raw.get("issuer"), str):
        raise ValueError("an identity provider is {issuer, jwks}")
    jwks = raw.get("jwks")
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError(f"identity provider {raw['issuer']}: jwks must be an object with keys")
    keys: dict[str, VerificationKey] = {}
    for jwk in jwks["keys"]:
        key = VerificationKey.from_jwk(jwk)
        keys[key.kid or ""] = key
    return IdentityProvider(raw["issuer"], keys)


def configured_providers(settings: Settings) -> dict[str, IdentityProvider]:
    entries: list[Any] = list(settings.identity_providers)
    if settings.identity_providers_file is not None:
        loaded = read_json(Path(settings.identity_providers_file).read_text())
        entries += loaded if isinstance(loaded, list) else loaded.get("providers", [])
    providers = [provider_from_config(e) for e in entries]
    return {p.issuer: p for p in providers}


def _string_claim(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise IdentityAssertionInvalid(f"the assertion has no {name}")
    return value.strip()


def _int_claim(payload: dict[str, Any], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise IdentityAssertionInvalid(f"the assertion's {name} is missing or not an integer")
    return value


def verify_identity_assertion(
    assertion: Any,
    *,
    providers: Mapping[str, IdentityProvider],
    audience: str,
    now: datetime,
    max_age_s: int,
    leeway_s: int,
) -> VerifiedIdentity:
    """Signature by a trusted provider, our audience, fresh, unexpired; or IdentityAssertionInvalid.

    Single use (``jti``) is the caller's business: it is recorded in the same transaction as
    the enrolment it allows.
    """
    if not isinstance(assertion, str):
        raise IdentityAssertionInvalid("identity_assertion must be a compact JWS")
    try:
        parsed = parse_compact(assertion)
        unverified_iss = parsed.unverified_claims().get("iss")
    except KeyLayerError as exc:
        raise IdentityAssertionInvalid(f"assertion: {exc}") from None
    provider = providers.get(unverified_iss) if isinstance(unverified_iss, str) else None
    if provider is None:
        raise IdentityAssertionInvalid("the assertion's issuer is not a configured identity provider")
    try:
        payload = verify_compact(parsed, lambda header: provider.key(header.get("kid"))).payload
    except KeyLayerError as exc:
        raise IdentityAssertionInvalid(f"assertion signature: {exc}") from None
    aud = payload.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise IdentityAssertionInvalid("the assertion is not addressed to this service")
    epoch = int(now.timestamp())
    iat, exp = _int_claim(payload, "iat"), _int_claim(payload, "exp")
    if exp <= epoch - leeway_s:
        raise IdentityAssertionInvalid("the assertion has expired")
    if iat > epoch + leeway_s or iat < epoch - max_age_s:
        raise IdentityAssertionInvalid("the assertion is not fresh")
    jti = _string_claim(payload, "jti")
    if len(jti) > 128:
        raise IdentityAssertionInvalid("jti is too long")
    return VerifiedIdentity(
        issuer=provider.issuer,
        jti=jti,
        expires_at=exp,
        rrn=_string_claim(payload, "rrn"),
        name=_string_claim(payload, "name"),
        birth_date=_string_claim(payload, "birth_date"),
    )
