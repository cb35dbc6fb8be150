"""The SD-JWT wire format (RFC 9901) shared by issuer, holder and verifier.

Serialization: ``<issuer JWT>~<disclosure>~...~<disclosure>~[<KB-JWT>]``. A presentation
without key binding ends with ``~``; with key binding the KB-JWT follows the last ``~``.

Claim paths are tuples, the same shape as a DCQL ``claims[].path`` in OpenID4VP 1.0:
``("address",)``, ``("address", "locality")``, ``("members", 0, "name")``. A string
step names an object member, an ``int`` step an array position, ``None`` every element of
an array. Tuples rather than dotted strings because claim names may contain dots and a
member called ``"0"`` is not array position 0.

Array positions count the elements of the credential as issued, not counting decoy
``{"...": digest}`` entries that match no disclosure.

The holder side lives here too (``select_disclosures``, ``kb_jwt_signing_input``,
``attach_kb_jwt``) so that a device can compute what to sign: the server never holds a
holder key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from keys.b64 import b64url_decode, b64url_encode
from keys.errors import JWKInvalid, JWSMalformed
from keys.jwk import alg_for_jwk
from keys.json_document import document_reader
from keys.jws import parse_compact
from keys.sd_jwt_errors import DisclosureMalformed, SdJwtMalformed

SEPARATOR = "~"
SD_DIGESTS_KEY = "_sd"
SD_ALG_KEY = "_sd_alg"
ARRAY_DIGEST_KEY = "..."
SD_HASH_KEY = "sd_hash"
SD_ALG = "sha-256"
KB_JWT_TYP = "kb+jwt"
#: names a disclosure may not carry: they would be read as digest containers (RFC 9901 §4.2.1)
RESERVED_CLAIM_NAMES: frozenset[str] = frozenset({SD_DIGESTS_KEY, ARRAY_DIGEST_KEY})

ClaimPath = tuple[str | int | None, ...]

# one encoder for the process: json.dumps with non-default options builds a new one per call,
# which costs more than the encoding itself on the issuer's hot path
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def digest_of(encoded: str) -> str:
    """sha-256 over the ASCII of the base64url text, never over the bytes it decodes to."""
    return b64url_encode(hashlib.sha256(encoded.encode("ascii")).digest())


def new_salt(random_bytes: bytes) -> str:
    """A disclosure salt: base64url of the given random bytes (16 for the 128 bits of RFC 9901 §9.3)."""
    return b64url_encode(random_bytes)


def sd_hash(presentation_without_kb: str) -> str:
    """The KB-JWT ``sd_hash``: over everything up to and including the last ``~``."""
    if not presentation_without_kb.endswith(SEPARATOR):
        raise SdJwtMalformed("sd_hash input must end with '~'")
    return digest_of(presentation_without_kb)


def _reject_constant(name: str) -> Any:
    # json accepts NaN/Infinity by default; they are not JSON and no other implementation reads them
    raise ValueError(f"{name} is not JSON")


# built once: json.loads with parse_constant would build a decoder per disclosure
_decode_disclosure_json = document_reader(json.JSONDecoder(parse_constant=_reject_constant))


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosure: ``name`` is None for an array element."""

    salt: str
    name: str | None
    value: Any
    encoded: str
    digest: str

    @property
    def is_array_element(self) -> bool:
        return self.name is None

    @classmethod
    def create(cls, salt: str, name: str | None, value: Any) -> "Disclosure":
        """Encode with compact JSON; the digest is fixed by these exact bytes from now on."""
        if name is not None and name in RESERVED_CLAIM_NAMES:
            raise DisclosureMalformed(f"{name!r} is reserved and cannot be a claim name")
        # the array assembled by hand: the same bytes json.dumps would give, at a tenth of the cost
        head = encode_basestring(salt) if name is None else f"{encode_basestring(salt)},{encode_basestring(name)}"
        encoded = b64url_encode(f"[{head},{_encode_json(value)}]".encode())
        return cls(salt, name, value, encoded, digest_of(encoded))

    @classmethod
    def parse(cls, encoded: str) -> "Disclosure":
        """Decode a disclosure as received; the digest is over ``encoded`` unchanged."""
        try:
            raw = b64url_decode(encoded)
        except ValueError:
            raise DisclosureMalformed("disclosure is not base64url") from None
        if not raw:
            raise DisclosureMalformed("disclosure is empty")
        try:
            array = _decode_disclosure_json(raw.decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise DisclosureMalformed("disclosure is not JSON") from None
        if not isinstance(array, list):
            raise DisclosureMalformed("disclosure is not a JSON array")
        if len(array) == 3:
            salt, name, value = array
            if not isinstance(name, str):
                raise DisclosureMalformed("disclosure claim name is not a string")
            if name in RESERVED_CLAIM_NAMES:
                raise DisclosureMalformed(f"disclosure uses the reserved claim name {name!r}")
        elif len(array) == 2:
            salt, value = array
            name = None
        else:
            raise DisclosureMalformed("disclosure must have 2 or 3 elements")
        if not isinstance(salt, str):
            raise DisclosureMalformed("disclosure salt is not a string")
        return cls(salt, name, value, encoded, digest_of(encoded))


@dataclass(frozen=True, slots=True)
class SdJwtParts:
    """The ``~`` components, split but not yet decoded or verified."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    kb_jwt: str | None

    @property
    def without_kb(self) -> str:
        """The SD-JWT as the KB-JWT's ``sd_hash`` covers it (ends with ``~``)."""
        return SEPARATOR.join((self.issuer_jwt, *self.disclosures, ""))


def split_sd_jwt(text: str) -> SdJwtParts:
    """Split the compact serialization; refuses empty components and non-ASCII input."""
    if not isinstance(text, str) or not text.isascii():
        raise SdJwtMalformed("an SD-JWT is an ASCII string")
    parts = text.split(SEPARATOR)
    if len(parts) < 2:
        raise SdJwtMalformed("an SD-JWT has at least one '~'")
    issuer_jwt, *disclosures, last = parts
    if not issuer_jwt:
        raise SdJwtMalformed("the issuer-signed JWT is empty")
    if "" in disclosures:
        raise SdJwtMalformed("empty disclosure component")
    if last and last.count(".") != 2:
        raise SdJwtMalformed("the component after the last '~' is not a KB-JWT")
    return SdJwtParts(issuer_jwt, tuple(disclosures), last or None)


def parse_disclosures(encoded: Iterable[str]) -> dict[str, Disclosure]:
    """Digest → disclosure; the same disclosure twice is refused (RFC 9901 §7.1 step 3)."""
    by_digest: dict[str, Disclosure] = {}
    for item in encoded:
        disclosure = Disclosure.parse(item)
        if disclosure.digest in by_digest:
            raise DisclosureMalformed("the same disclosure appears twice")
        by_digest[disclosure.digest] = disclosure
    return by_digest


def _unverified_payload(issuer_jwt: str) -> dict[str, Any]:
    try:
        return parse_compact(issuer_jwt).unverified_claims()
    except JWSMalformed as exc:
        raise SdJwtMalformed(f"issuer-signed JWT: {exc}") from None


# --- holder side ------------------------------------------------------------------------


def _matches(wanted: str | int | None, step: str | int) -> bool:
    if isinstance(step, int):  # an array position: None in a path means every element
        return wanted is None or (isinstance(wanted, int) and wanted == step)
    return isinstance(wanted, str) and wanted == step


def _descend(suffixes: list[ClaimPath], step: str | int) -> list[ClaimPath]:
    """The path remainders that continue through ``step``."""
    return [s[1:] for s in suffixes if s and _matches(s[0], step)]


def _collect(node: Any, suffixes: list[ClaimPath], whole: bool, by_digest: dict[str, Disclosure], out: set[str]) -> None:
    """Walk issuer-side ``node``; add to ``out`` the disclosures a requested path passes through.

    ``whole`` means a requested path ended above this node, so everything below is disclosed.
    """
    if isinstance(node, dict):
        for key, child in node.items():
            if key in (SD_DIGESTS_KEY, SD_ALG_KEY):
                continue
            sub = _descend(suffixes, key)
            if whole or sub:
                _collect(child, sub, whole or () in sub, by_digest, out)
        digests = node.get(SD_DIGESTS_KEY)
        for digest in digests if isinstance(digests, list) else ():
            disclosure = by_digest.get(digest) if isinstance(digest, str) else None
            if disclosure is None or disclosure.name is None:
                continue  # a decoy, or a disclosure withheld from us
            sub = _descend(suffixes, disclosure.name)
            if whole or sub:
                out.add(disclosure.encoded)
                _collect(disclosure.value, sub, whole or () in sub, by_digest, out)
    elif isinstance(node, list):
        position = 0
        for element in node:
            if isinstance(element, dict) and len(element) == 1 and ARRAY_DIGEST_KEY in element:
                digest = element[ARRAY_DIGEST_KEY]
                disclosure = by_digest.get(digest) if isinstance(digest, str) else None
                if disclosure is None or disclosure.name is not None:
                    continue  # decoys do not take a position
                sub = _descend(suffixes, position)
                if whole or sub:
                    out.add(disclosure.encoded)
                    _collect(disclosure.value, sub, whole or () in sub, by_digest, out)
            else:
                sub = _descend(suffixes, position)
                if whole or sub:
                    _collect(element, sub, whole or () in sub, by_digest, out)
            position += 1


def select_disclosures(sd_jwt: str, disclose: Iterable[ClaimPath]) -> str:
    """The presentation (without KB-JWT, ending in ``~``) revealing exactly ``disclose``.

    A path keeps every disclosure on its way (the parents of a nested claim) and everything
    below where it ends: ``("address",)`` reveals the whole address. Paths that do not exist
    in the credential reveal nothing. The issuer signature is not checked here: the holder
    selects from its own credential, and the verifier checks everything.
    """
    paths = [tuple(p) for p in disclose]
    for path in paths:
        if not path or not all(s is None or isinstance(s, (str, int)) and not isinstance(s, bool) for s in path):
            raise ValueError(f"invalid claim path {path!r}")
    parts = split_sd_jwt(sd_jwt)
    by_digest = parse_disclosures(parts.disclosures)
    chosen: set[str] = set()
    _collect(_unverified_payload(parts.issuer_jwt), paths, False, by_digest, chosen)
    # keep the issuance order so the same request always yields the same presentation
    kept = tuple(d for d in parts.disclosures if d in chosen)
    return SdJwtParts(parts.issuer_jwt, kept, None).without_kb


def kb_jwt_signing_input(
    *,
    presentation: str,
    nonce: str,
    aud: str,
    iat: int,
    header_extras: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of the KB-JWT the holder's device must sign for ``presentation``.

    ``alg`` comes from the credential's ``cnf.jwk`` because that is the only key a verifier
    will accept the KB-JWT from.
    """
    parts = split_sd_jwt(presentation)
    if parts.kb_jwt is not None:
        raise SdJwtMalformed("the presentation already carries a KB-JWT")
    cnf = _unverified_payload(parts.issuer_jwt).get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise SdJwtMalformed("the credential has no cnf.jwk to bind to")
    try:
        alg = alg_for_jwk(jwk)
    except JWKInvalid as exc:
        raise SdJwtMalformed(f"cnf.jwk: {exc}") from None
    header = {**(header_extras or {}), "alg": alg, "typ": KB_JWT_TYP}
    payload = {"iat": iat, "aud": aud, "nonce": nonce, SD_HASH_KEY: sd_hash(parts.without_kb)}
    return header, payload


def attach_kb_jwt(presentation: str, kb_jwt: str) -> str:
    """Append a KB-JWT signed elsewhere to a presentation that ends with ``~``."""
    if not isinstance(presentation, str) or not presentation.endswith(SEPARATOR):
        raise SdJwtMalformed("a presentation awaiting a KB-JWT ends with '~'")
    if not isinstance(kb_jwt, str) or SEPARATOR in kb_jwt or kb_jwt.count(".") != 2:
        raise SdJwtMalformed("a KB-JWT is one compact JWS")
    return presentation + kb_jwt
