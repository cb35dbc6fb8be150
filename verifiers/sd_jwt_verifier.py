"""Verify an SD-JWT presentation (RFC 9901 §7) in steps: parse, header, signature,
disclosures, key binding.

The verifier's named checks (``verifiers.checks``) call each step once, in profile order, and
keep what it established in the ``VerificationContext``; ``verify_sd_jwt`` is the same steps
composed, for a caller outside the service that verifies one presentation with a key or a
key resolver. Not checked here: exp/nbf, status and issuer trust (other checks read them from
the issuer payload). Every step fails closed with a ``schemas.errors.VerificationError``
subclass, whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from keys.errors import JWKInvalid, JWSAlgorithmRefused, JWSError, JWSKeyUnknown, JWSMalformed, KeyLayerError
from keys.jwk import alg_for_jwk, public_key_from_jwk
from keys.jws import UnverifiedJWS, VerificationKey, check_header, parse_compact
from keys.sd_jwt import (
    ARRAY_DIGEST_KEY,
    KB_JWT_TYP,
    SD_ALG,
    SD_ALG_KEY,
    SD_DIGESTS_KEY,
    SD_HASH_KEY,
    ClaimPath,
    Disclosure,
    SdJwtParts,
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


@contextmanager
def failing_closed() -> Iterator[None]:
    """Hostile input ends as a verification verdict (a 4xx), never an unexpected exception."""
    try:
        yield
    except VerificationError:
        raise
    except DisclosureMalformed as exc:
        raise DisclosureInvalid(str(exc)) from None
    except SdJwtMalformed as exc:
        raise Malformed(str(exc)) from None
    except (KeyLayerError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise Malformed(f"unprocessable SD-JWT ({type(exc).__name__})") from None


# --- step 1: parse ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParsedPresentation:
    """The presentation split at ``~`` and its issuer JWT parsed, nothing verified."""

    text: str
    parts: SdJwtParts
    issuer_jws: UnverifiedJWS

    def unverified_payload(self) -> dict[str, Any]:
        try:
            return self.issuer_jws.unverified_claims()
        except JWSMalformed as exc:
            raise Malformed(f"issuer-signed JWT: {exc}") from None

    def without_kb(self) -> str:
        """The slice as received, not a re-join: ``sd_hash`` covers the exact bytes presented."""
        kb = self.parts.kb_jwt
        return self.text if kb is None else self.text[: len(self.text) - len(kb)]


def parse_presentation(presentation: str) -> ParsedPresentation:
    with failing_closed():
        parts = split_sd_jwt(presentation)
        try:
            jws = parse_compact(parts.issuer_jwt)
        except JWSMalformed as exc:
            raise Malformed(f"issuer-signed JWT: {exc}") from None
        return ParsedPresentation(presentation, parts, jws)


# --- step 2: header ---------------------------------------------------------------------------
def check_typ(parsed: ParsedPresentation, expected_typ: str = DEFAULT_TYP) -> None:
    typ = parsed.issuer_jws.unverified_header.get("typ")
    if typ != expected_typ:
        raise TypeMismatch(f"issuer-signed JWT typ is {typ!r}, expected {expected_typ!r}")


def check_issuer_header(parsed: ParsedPresentation) -> str:
    """The algorithm the header names, once ``none``, HMAC and keys carried in the header
    (``jwk``, ``jku``, ``x5u``, ``x5c``) are refused: before any key is looked up."""
    try:
        return check_header(parsed.issuer_jws.unverified_header)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT header: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None


def resolve_issuer_key(issuer_key: VerificationKey | IssuerKeyResolver, parsed: ParsedPresentation) -> VerificationKey:
    if isinstance(issuer_key, VerificationKey):
        return issuer_key
    try:
        return issuer_key(parsed.issuer_jws.unverified_header, parsed.unverified_payload())
    except JWSKeyUnknown as exc:
        raise IssuerUntrusted(str(exc)) from None
    except KeyLayerError as exc:
        raise SignatureInvalid(f"issuer key: {exc}") from None


# --- step 3: signature ------------------------------------------------------------------------
def verify_issuer_signature(parsed: ParsedPresentation, key: VerificationKey, alg: str) -> dict[str, Any]:
    """The issuer payload, once ``key`` verified the signature; ``alg`` is what
    ``check_issuer_header`` returned (the key's own algorithm must be that one)."""
    jws = parsed.issuer_jws
    try:
        if key.alg != alg:
            raise JWSAlgorithmRefused(f"key {key.kid} allows {key.alg}, token says {alg}")
        key.verify(jws.signing_input, jws.signature)
        return jws.unverified_claims()
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None


# --- step 4: disclosures ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Disclosed:
    """The processed claims (disclosed ones only, ``_sd``/``_sd_alg`` removed) and the claim
    path of every disclosure presented, array positions as they are in ``claims``."""

    claims: dict[str, Any]
    paths: frozenset[ClaimPath]


def unblind_disclosures(parsed: ParsedPresentation, issuer_payload: dict[str, Any]) -> Disclosed:
    """Every disclosure is referenced exactly once by a digest the issuer signed (§7.1)."""
    with failing_closed():
        if issuer_payload.get(SD_ALG_KEY, SD_ALG) != SD_ALG:  # absent means sha-256 (§4.1.1)
            raise DisclosureInvalid(f"unsupported {SD_ALG_KEY}; only {SD_ALG} is accepted")
        unblinder = _Unblinder(parse_disclosures(parsed.parts.disclosures))
        claims = unblinder.unblind(issuer_payload, ())
        claims.pop(SD_ALG_KEY, None)
        if unblinder.unreferenced():
            raise DisclosureInvalid("a disclosure is not referenced by the issuer-signed JWT")
        return Disclosed(claims, frozenset(unblinder.paths))


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


# --- step 5: key binding ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KeyBinding:
    """A KB-JWT signed by the credential's ``cnf.jwk`` over this exact presentation."""

    payload: dict[str, Any]
    holder_jwk: dict[str, Any]


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


def verify_key_binding(parsed: ParsedPresentation, issuer_payload: dict[str, Any]) -> KeyBinding | None:
    """The KB-JWT, verified (typ, holder signature, ``sd_hash``, an integer ``iat``); None when
    the presentation carries none. Freshness, nonce and audience are judged by the caller."""
    kb_jwt = parsed.parts.kb_jwt
    if kb_jwt is None:
        return None
    with failing_closed():
        jwk, key = _holder_key(issuer_payload)
        try:
            kb = parse_compact(kb_jwt)
        except JWSMalformed as exc:
            raise Malformed(f"KB-JWT: {exc}") from None
        header = kb.unverified_header
        if header.get("typ") != KB_JWT_TYP:
            raise TypeMismatch(f"KB-JWT typ must be {KB_JWT_TYP!r}")
        try:
            alg = check_header(header)
            if key.alg != alg:
                raise JWSAlgorithmRefused(f"the holder key allows {key.alg}, the KB-JWT says {alg}")
            key.verify(kb.signing_input, kb.signature)
            payload = kb.unverified_claims()
        except JWSMalformed as exc:
            raise Malformed(f"KB-JWT: {exc}") from None
        except JWSError as exc:
            raise HolderBindingFailed(f"KB-JWT not signed by the holder key: {exc}") from None
        if payload.get(SD_HASH_KEY) != digest_of(parsed.without_kb()):
            raise HolderBindingFailed("KB-JWT sd_hash does not match the presentation")
        iat = payload.get("iat")
        if not isinstance(iat, int) or isinstance(iat, bool):
            raise HolderBindingFailed("KB-JWT iat is missing or not an integer")
        return KeyBinding(payload, jwk)


def check_kb_freshness(binding: KeyBinding, *, now: int, max_age_s: int, leeway_s: int) -> None:
    iat = binding.payload["iat"]
    if iat < now - max_age_s:
        raise HolderBindingFailed("KB-JWT is too old")
    if iat > now + leeway_s:
        raise HolderBindingFailed("KB-JWT is issued in the future")


# --- the steps composed, for callers outside the service ---------------------------------------
@dataclass(frozen=True, slots=True)
class VerifiedSdJwt:
    """A presentation whose issuer signature, disclosures and (if present) KB-JWT verified.

    ``issuer_payload``: the issuer-signed payload exactly as signed (registered claims
    ``iss``, ``exp``, ``vct``, ``status``, ``cnf`` ... plus the ``_sd`` digests).
    ``claims``: the processed claims, disclosed ones only. ``disclosed_paths``: the claim path
    of every disclosure presented. ``holder_jwk`` is set only when a KB-JWT proved possession.
    """

    issuer_header: dict[str, Any]
    issuer_payload: dict[str, Any]
    claims: dict[str, Any]
    disclosed_paths: frozenset[ClaimPath]
    kb_payload: dict[str, Any] | None
    issuer_key_kid: str | None
    holder_jwk: dict[str, Any] | None


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
) -> VerifiedSdJwt:
    """Verify ``presentation``; ``issuer_key`` is a key or ``resolver(header, unverified_payload)``.

    A KB-JWT that is present is always verified. When key binding is required the caller
    must say which nonce and audience it expects: a KB-JWT checked against nothing could be
    replayed from another verifier.
    """
    if require_key_binding and (expected_nonce is None or expected_aud is None):
        raise ValueError("require_key_binding needs expected_nonce and expected_aud")
    with failing_closed():
        parsed = parse_presentation(presentation)
        if require_key_binding and parsed.parts.kb_jwt is None:
            raise HolderBindingFailed("key binding is required and the presentation has no KB-JWT")
        alg = check_issuer_header(parsed)
        check_typ(parsed, expected_typ)
        key = resolve_issuer_key(issuer_key, parsed)
        payload = verify_issuer_signature(parsed, key, alg)
        disclosed = unblind_disclosures(parsed, payload)
        binding = verify_key_binding(parsed, payload)
        if binding is not None:
            if expected_nonce is not None and binding.payload.get("nonce") != expected_nonce:
                raise NonceMismatch("KB-JWT nonce does not match")
            if expected_aud is not None and binding.payload.get("aud") != expected_aud:
                raise NonceMismatch("KB-JWT aud does not match")
            check_kb_freshness(binding, now=now, max_age_s=max_kb_age_s, leeway_s=leeway_s)
        return VerifiedSdJwt(
            issuer_header=parsed.issuer_jws.unverified_header,
            issuer_payload=payload,
            claims=disclosed.claims,
            disclosed_paths=disclosed.paths,
            kb_payload=binding.payload if binding else None,
            issuer_key_kid=key.kid,
            holder_jwk=binding.holder_jwk if binding else None,
        )
