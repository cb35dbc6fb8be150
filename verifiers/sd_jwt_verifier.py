"""Verify an SD-JWT presentation (RFC 9901 §7): issuer signature, disclosures, key binding.

Not checked here: exp/nbf, status and issuer trust; other checks in the pipeline read them
from ``VerifiedSdJwt.issuer_payload``. Everything else fails closed with a
``schemas.errors.VerificationError`` subclass, whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keys.errors import JWKInvalid, JWSError, JWSKeyUnknown, JWSMalformed, KeyLayerError
from keys.jwk import alg_for_jwk, public_key_from_jwk
from keys.jws import UnverifiedJWS, VerificationKey, VerifiedJWS, check_header, parse_compact, verify_signature
from keys.sd_jwt import (
    ARRAY_DIGEST_KEY,
    KB_JWT_TYP,
    SD_ALG,
    SD_ALG_KEY,
    SD_DIGESTS_KEY,
    SD_HASH_KEY,
    ClaimPath,
    Disclosure,
    digest_of,
    parse_disclosures,
    split_sd_jwt,
)
from keys.sd_jwt_errors import DisclosureMalformed, SdJwtMalformed
from schemas.errors import (
    DisclosureInvalid,
    HolderBindingFailed,
    IssuerUntrusted,
    Malformed,
    NonceMismatch,
    SignatureInvalid,
    TypeMismatch,
    VerificationError,
)

DEFAULT_TYP = "dc+sd-jwt"
#: deeper nesting than any certificate needs; bounds the recursion on hostile input
MAX_DEPTH = 32

IssuerKeyResolver = Callable[[dict[str, Any], dict[str, Any]], VerificationKey]


@dataclass(frozen=True, slots=True)
class VerifiedSdJwt:
    """A presentation whose issuer signature, disclosures and (if present) KB-JWT verified.

    ``issuer_payload``: the issuer-signed payload exactly as signed (registered claims
    ``iss``, ``exp``, ``vct``, ``status``, ``cnf`` ... plus the ``_sd`` digests).
    ``claims``: the processed claims, disclosed ones only, ``_sd``/``_sd_alg`` removed.
    ``disclosed_paths``: the claim path of every disclosure presented, with array positions
    as they are in ``claims``. ``holder_jwk`` is set only when a KB-JWT proved possession.
    """

    issuer_header: dict[str, Any]
    issuer_payload: dict[str, Any]
    claims: dict[str, Any]
    disclosed_paths: frozenset[ClaimPath]
    kb_payload: dict[str, Any] | None
    issuer_key_kid: str | None
    holder_jwk: dict[str, Any] | None


class _Unblinder:
    """Rebuilds the claims from the signed payload and the disclosures (RFC 9901 §7.1 step 3)."""

    __slots__ = ("_by_digest", "_seen", "paths")

    def __init__(self, by_digest: dict[str, Disclosure]) -> None:
        self._by_digest = by_digest
        self._seen: set[str] = set()
        self.paths: set[ClaimPath] = set()

    def _referenced(self, digests: list[Any] | tuple[Any, ...]) -> list[Disclosure]:
        """The disclosures ``digests`` point at, in order; decoys and withheld claims are skipped."""
        seen = self._seen
        by_digest = self._by_digest
        found: list[Disclosure] = []
        for digest in digests:
            if not isinstance(digest, str):
                raise DisclosureInvalid("a digest is not a string")
            # every digest counts, decoys and undisclosed ones too: a repeat means a forged layout
            if digest in seen:
                raise DisclosureInvalid("a digest appears more than once")
            seen.add(digest)
            disclosure = by_digest.get(digest)
            if disclosure is not None:
                found.append(disclosure)
        return found

    def unblind(self, node: Any, path: ClaimPath) -> Any:
        if len(path) > MAX_DEPTH:
            raise Malformed("claims nested too deeply")
        if isinstance(node, dict):
            return self._unblind_object(node, path)
        if isinstance(node, list):
            return self._unblind_array(node, path)
        return node

    def _unblind_object(self, node: dict[str, Any], path: ClaimPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in node.items():
            if name == SD_DIGESTS_KEY:
                continue
            # scalars are most members: taking them as they are skips a call and a path tuple
            out[name] = self.unblind(value, (*path, name)) if isinstance(value, (dict, list)) else value
        digests = node.get(SD_DIGESTS_KEY)
        if digests is None:
            return out
        if not isinstance(digests, list):
            raise DisclosureInvalid("_sd is not an array")
        for disclosure in self._referenced(digests):
            name = disclosure.name
            if name is None:
                raise DisclosureInvalid("an array-element disclosure is referenced from _sd")
            if name in out:
                raise DisclosureInvalid(f"disclosed claim {name!r} collides with a claim already present")
            claim_path = (*path, name)
            value = disclosure.value
            out[name] = self.unblind(value, claim_path) if isinstance(value, (dict, list)) else value
            self.paths.add(claim_path)
        return out

    def _unblind_array(self, node: list[Any], path: ClaimPath) -> list[Any]:
        out: list[Any] = []
        for element in node:
            if isinstance(element, dict) and ARRAY_DIGEST_KEY in element:
                if len(element) != 1:
                    raise DisclosureInvalid("an array digest object has other members")
                referenced = self._referenced((element[ARRAY_DIGEST_KEY],))
                if not referenced:
                    continue  # a decoy, or an element the holder chose not to disclose
                disclosure = referenced[0]
                if disclosure.name is not None:
                    raise DisclosureInvalid("an object-property disclosure is referenced from an array")
                claim_path = (*path, len(out))
                out.append(self.unblind(disclosure.value, claim_path))
                self.paths.add(claim_path)
            else:
                out.append(self.unblind(element, (*path, len(out))))
        return out

    def unreferenced(self) -> bool:
        return not self._seen.issuperset(self._by_digest)


def _issuer_key(
    issuer_key: VerificationKey | IssuerKeyResolver, parsed: UnverifiedJWS
) -> VerificationKey:
    if isinstance(issuer_key, VerificationKey):
        return issuer_key
    try:
        unverified_payload = parsed.unverified_claims()
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT: {exc}") from None
    try:
        return issuer_key(parsed.unverified_header, unverified_payload)
    except JWSKeyUnknown as exc:
        raise IssuerUntrusted(str(exc)) from None
    except KeyLayerError as exc:
        raise SignatureInvalid(f"issuer key: {exc}") from None


def _already_verified(parsed: UnverifiedJWS, key: VerificationKey, verified: VerifiedJWS) -> bool:
    """``verified`` is this very token (same signed bytes, same signature) checked with this key."""
    return (
        verified.key is key
        and bool(verified.signing_input)
        and verified.signing_input == parsed.signing_input
        and verified.signature == parsed.signature
    )


def _verify_issuer_jwt(
    issuer_jwt: str,
    issuer_key: VerificationKey | IssuerKeyResolver,
    expected_typ: str,
    verified_issuer_jwt: VerifiedJWS | None = None,
) -> tuple[dict[str, Any], dict[str, Any], VerificationKey]:
    try:
        parsed = parse_compact(issuer_jwt)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT: {exc}") from None
    try:
        # refuse none/HMAC/header-supplied keys before anything reads the token further
        check_header(parsed.unverified_header)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT header: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None
    if parsed.unverified_header.get("typ") != expected_typ:
        raise TypeMismatch(f"issuer-signed JWT typ must be {expected_typ!r}")
    key = _issuer_key(issuer_key, parsed)
    if verified_issuer_jwt is not None and _already_verified(parsed, key, verified_issuer_jwt):
        return verified_issuer_jwt.header, verified_issuer_jwt.payload, key
    try:
        payload = verify_signature(parsed, key)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None
    return parsed.unverified_header, payload, key


def _holder_key(issuer_payload: dict[str, Any]) -> tuple[dict[str, Any], VerificationKey]:
    cnf = issuer_payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise HolderBindingFailed("the credential has no cnf.jwk to bind to")
    try:
        # the alg is the holder key's type, never the KB-JWT header's
        key = VerificationKey(kid=None, alg=alg_for_jwk(jwk), public_key=public_key_from_jwk(jwk))
    except JWKInvalid as exc:
        raise HolderBindingFailed(f"cnf.jwk: {exc}") from None
    return jwk, key


def _verify_kb_jwt(
    kb_jwt: str,
    *,
    issuer_payload: dict[str, Any],
    expected_sd_hash: str,
    expected_nonce: str | None,
    expected_aud: str | None,
    now: int,
    max_kb_age_s: int,
    leeway_s: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    jwk, key = _holder_key(issuer_payload)
    try:
        parsed = parse_compact(kb_jwt)
    except JWSMalformed as exc:
        raise Malformed(f"KB-JWT: {exc}") from None
    if parsed.unverified_header.get("typ") != KB_JWT_TYP:
        raise TypeMismatch(f"KB-JWT typ must be {KB_JWT_TYP!r}")
    try:
        payload = verify_signature(parsed, key)
    except JWSMalformed as exc:
        raise Malformed(f"KB-JWT: {exc}") from None
    except JWSError as exc:
        raise HolderBindingFailed(f"KB-JWT not signed by the holder key: {exc}") from None
    if payload.get(SD_HASH_KEY) != expected_sd_hash:
        raise HolderBindingFailed("KB-JWT sd_hash does not match the presentation")
    if expected_nonce is not None and payload.get("nonce") != expected_nonce:
        raise NonceMismatch("KB-JWT nonce does not match")
    if expected_aud is not None and payload.get("aud") != expected_aud:
        raise NonceMismatch("KB-JWT aud does not match")
    iat = payload.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise HolderBindingFailed("KB-JWT iat is missing or not an integer")
    if iat < now - max_kb_age_s:
        raise HolderBindingFailed("KB-JWT is too old")
    if iat > now + leeway_s:
        raise HolderBindingFailed("KB-JWT is issued in the future")
    return payload, jwk


def verify_sd_jwt(
    presentation: str,
    *,
    issuer_key: VerificationKey | IssuerKeyResolver,
    expected_typ: str = DEFAULT_TYP,
    require_key_binding: bool,
    expected_nonce: str | None,
    expected_aud: str | None,
    now: int,
    max_kb_age_s: int = 300,
    leeway_s: int = 60,
    verified_issuer_jwt: VerifiedJWS | None = None,
) -> VerifiedSdJwt:
    """Verify ``presentation``; ``issuer_key`` is a key or ``resolver(header, unverified_payload)``.

    ``verified_issuer_jwt``: the issuer JWT as a caller already verified it (the pipeline's
    signature check). Its signature is not checked again only when it covers byte for byte
    the presentation's issuer JWT, with the very key object passed as ``issuer_key``;
    anything else is verified as usual, so a mismatched hint costs time, never safety.

    A KB-JWT that is present is always verified. When key binding is required the caller
    must say which nonce and audience it expects: a KB-JWT checked against nothing could be
    replayed from another verifier.
    """
    if require_key_binding and (expected_nonce is None or expected_aud is None):
        raise ValueError("require_key_binding needs expected_nonce and expected_aud")
    try:
        return _verify(
            presentation,
            issuer_key=issuer_key,
            expected_typ=expected_typ,
            require_key_binding=require_key_binding,
            expected_nonce=expected_nonce,
            expected_aud=expected_aud,
            now=now,
            max_kb_age_s=max_kb_age_s,
            leeway_s=leeway_s,
            verified_issuer_jwt=verified_issuer_jwt,
        )
    except VerificationError:
        raise
    except DisclosureMalformed as exc:
        raise DisclosureInvalid(str(exc)) from None
    except SdJwtMalformed as exc:
        raise Malformed(str(exc)) from None
    except (KeyLayerError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # defence in depth: hostile input must end as a 4xx verdict, never a 500
        raise Malformed(f"unprocessable SD-JWT ({type(exc).__name__})") from None


def _verify(
    presentation: str,
    *,
    issuer_key: VerificationKey | IssuerKeyResolver,
    expected_typ: str,
    require_key_binding: bool,
    expected_nonce: str | None,
    expected_aud: str | None,
    now: int,
    max_kb_age_s: int,
    leeway_s: int,
    verified_issuer_jwt: VerifiedJWS | None = None,
) -> VerifiedSdJwt:
    parts = split_sd_jwt(presentation)
    if require_key_binding and parts.kb_jwt is None:
        raise HolderBindingFailed("key binding is required and the presentation has no KB-JWT")
    header, payload, key = _verify_issuer_jwt(parts.issuer_jwt, issuer_key, expected_typ, verified_issuer_jwt)
    if payload.get(SD_ALG_KEY, SD_ALG) != SD_ALG:  # absent means sha-256 (RFC 9901 §4.1.1)
        raise DisclosureInvalid(f"unsupported {SD_ALG_KEY}; only {SD_ALG} is accepted")

    unblinder = _Unblinder(parse_disclosures(parts.disclosures))
    claims = unblinder.unblind(payload, ())
    claims.pop(SD_ALG_KEY, None)
    if unblinder.unreferenced():
        raise DisclosureInvalid("a disclosure is not referenced by the issuer-signed JWT")

    kb_payload: dict[str, Any] | None = None
    holder_jwk: dict[str, Any] | None = None
    if parts.kb_jwt is not None:
        # the slice as received, not a re-join: sd_hash must cover the exact bytes presented
        without_kb = presentation[: len(presentation) - len(parts.kb_jwt)]
        kb_payload, holder_jwk = _verify_kb_jwt(
            parts.kb_jwt,
            issuer_payload=payload,
            expected_sd_hash=digest_of(without_kb),
            expected_nonce=expected_nonce,
            expected_aud=expected_aud,
            now=now,
            max_kb_age_s=max_kb_age_s,
            leeway_s=leeway_s,
        )
    return VerifiedSdJwt(
        issuer_header=header,
        issuer_payload=payload,
        claims=claims,
        disclosed_paths=frozenset(unblinder.paths),
        kb_payload=kb_payload,
        issuer_key_kid=key.kid,
        holder_jwk=holder_jwk,
    )
