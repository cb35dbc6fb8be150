"""Issue SD-JWTs (RFC 9901) from claims and a disclosure plan.

Hot path: every certificate issued passes here. The plan is a small tree walked once;
values that no plan touches are placed into the payload as they are (not copied), and each
disclosure is JSON-encoded exactly once, by ``Disclosure.create``.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from keys.jws import Signer
from keys.sd_jwt import (
    ARRAY_DIGEST_KEY,
    RESERVED_CLAIM_NAMES,
    SD_ALG,
    SD_ALG_KEY,
    SD_DIGESTS_KEY,
    SEPARATOR,
    ClaimPath,
    Disclosure,
    digest_of,
    new_salt,
)

DEFAULT_TYP = "dc+sd-jwt"
NO_DECOYS = range(0, 1)
_SALT_BYTES = 16  # 128 bits, RFC 9901 §9.3
_SALT_BATCH = 32


@dataclass(frozen=True, slots=True)
class SdPlan:
    """How one value is blinded.

    ``disclosable``: the value becomes a disclosure in its parent (an object member, or an
    array element as ``{"...": digest}``). ``properties``: plans for members of an object
    value. ``items``: one plan applied to every element of an array value. A disclosable
    object whose members are disclosable too gives recursive disclosures.
    """

    disclosable: bool = False
    properties: Mapping[str, "SdPlan"] = field(default_factory=dict)
    items: "SdPlan | None" = None
    #: whether an object under this plan gets an ``_sd`` array (and so decoys): computed once
    hides_members: bool = field(init=False, repr=False, compare=False)
    #: whether values under this plan need walking at all: computed once
    has_children: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hides_members", any(p.disclosable for p in self.properties.values()))
        object.__setattr__(self, "has_children", bool(self.properties) or self.items is not None)

    @property
    def touches_anything(self) -> bool:
        return self.disclosable or bool(self.properties) or self.items is not None


def plan_from_paths(paths: Iterable[ClaimPath]) -> SdPlan:
    """The root plan making each path disclosable; ``None`` as a step means every element.

    ``[("address",), ("address", "street_address"), ("members", None), ("members", None, "name")]``
    makes the address and its street, each household member and each member's name disclosable.
    """
    root: dict[str, Any] = {}
    for path in paths:
        if not path or not isinstance(path[0], str):
            raise ValueError(f"a claim path starts with a claim name: {path!r}")
        node = root
        for step in path:
            if isinstance(step, str):
                node = node.setdefault("properties", {}).setdefault(step, {})
            elif step is None:
                node = node.setdefault("items", {})
            else:
                raise ValueError(f"plans cover every array element; use None, not {step!r}")
        node["disclosable"] = True
    return _freeze(root)


def _freeze(node: dict[str, Any]) -> SdPlan:
    return SdPlan(
        disclosable=node.get("disclosable", False),
        properties={k: _freeze(v) for k, v in node.get("properties", {}).items()},
        items=_freeze(node["items"]) if "items" in node else None,
    )


class ClaimDefinitionLike(Protocol):
    """What ``plan_from_type`` reads from ``schemas.registry.ClaimDefinition``."""

    name: str
    disclosable: bool
    properties: Sequence["ClaimDefinitionLike"] | None
    items: "ClaimDefinitionLike | None"


class CertificateTypeLike(Protocol):
    claims: Sequence[ClaimDefinitionLike]


def _plan_for_claim(claim: ClaimDefinitionLike) -> SdPlan | None:
    properties = {}
    for member in claim.properties or ():
        member_plan = _plan_for_claim(member)
        if member_plan is not None:
            properties[member.name] = member_plan
    items = _plan_for_claim(claim.items) if claim.items is not None else None
    plan = SdPlan(disclosable=bool(claim.disclosable), properties=properties, items=items)
    # dropping empty plans keeps the issuer from walking values that stay plain
    return plan if plan.touches_anything else None


def plan_from_type(type_def: CertificateTypeLike) -> SdPlan:
    """The disclosure plan of a certificate type: computed once per type, reused per issue."""
    properties = {}
    for claim in type_def.claims:
        plan = _plan_for_claim(claim)
        if plan is not None:
            properties[claim.name] = plan
    return SdPlan(properties=properties)


@dataclass(frozen=True, slots=True)
class IssuedSdJwt:
    compact: str
    disclosures: list[Disclosure]
    payload: dict[str, Any]


class _Blinder:
    """One issuance: owns the randomness and the disclosures made so far."""

    __slots__ = ("_rng", "_decoys", "_pool", "_offset", "disclosures")

    def __init__(self, rng: random.Random | None, decoys: range) -> None:
        self._rng = rng
        self._decoys = decoys
        self._pool = b""
        self._offset = 0
        self.disclosures: list[Disclosure] = []

    def _salt(self) -> str:
        if self._offset >= len(self._pool):
            # one system call for a batch of salts rather than one per disclosure
            size = _SALT_BYTES * _SALT_BATCH
            self._pool = self._rng.randbytes(size) if self._rng is not None else secrets.token_bytes(size)
            self._offset = 0
        start = self._offset
        self._offset = start + _SALT_BYTES
        return new_salt(self._pool[start : self._offset])

    def _decoy_count(self) -> int:
        if len(self._decoys) <= 1:
            return self._decoys[0] if self._decoys else 0
        if self._rng is not None:
            return self._rng.choice(self._decoys)
        return self._decoys[secrets.randbelow(len(self._decoys))]

    def _disclose(self, name: str | None, value: Any) -> str:
        disclosure = Disclosure.create(self._salt(), name, value)
        self.disclosures.append(disclosure)
        return disclosure.digest

    def blind(self, value: Any, plan: SdPlan) -> Any:
        """The issuer-side form of ``value``: disclosable parts replaced by digests."""
        if plan.properties and isinstance(value, dict):
            return self.blind_object(value, plan)
        if plan.items is not None and isinstance(value, list):
            items = plan.items
            out: list[Any] = []
            for element in value:
                blinded = self.blind(element, items)
                out.append({ARRAY_DIGEST_KEY: self._disclose(None, blinded)} if items.disclosable else blinded)
            return out
        return value

    def blind_object(self, value: Mapping[str, Any], plan: SdPlan) -> dict[str, Any]:
        properties = plan.properties
        out: dict[str, Any] = {}
        digests: list[str] = []
        for name, member in value.items():
            member_plan = properties.get(name)
            if member_plan is None:
                out[name] = member
                continue
            blinded = self.blind(member, member_plan) if member_plan.has_children else member
            if member_plan.disclosable:
                digests.append(self._disclose(name, blinded))
            else:
                out[name] = blinded
        if plan.hides_members:
            # decoys wherever something could be hidden, so the count of _sd entries says nothing
            for _ in range(self._decoy_count()):
                digests.append(digest_of(self._salt()))
        if digests:
            digests.sort()  # sorted, so the order of _sd leaks nothing about the claims
            out[SD_DIGESTS_KEY] = digests
        return out


_RESERVED_IN_CLAIMS = RESERVED_CLAIM_NAMES | {SD_ALG_KEY}


def _refuse_reserved_names(value: Any) -> None:
    """Claims may not use the names SD-JWT gives meaning to, at any depth."""
    if isinstance(value, dict):
        reserved = _RESERVED_IN_CLAIMS & value.keys()
        if reserved:
            raise ValueError(f"claim names {sorted(reserved)} are reserved by SD-JWT")
        for member in value.values():
            if isinstance(member, (dict, list)):
                _refuse_reserved_names(member)
    elif isinstance(value, list):
        for element in value:
            if isinstance(element, (dict, list)):
                _refuse_reserved_names(element)


def issue_sd_jwt(
    *,
    signer: Signer,
    claims: Mapping[str, Any],
    disclosable: SdPlan,
    registered: Mapping[str, Any],
    typ: str = DEFAULT_TYP,
    decoys: range = NO_DECOYS,
    rng: random.Random | None = None,
) -> IssuedSdJwt:
    """Sign an SD-JWT whose ``claims`` are blinded as ``disclosable`` says.

    ``registered`` (iss, iat, exp, vct, cnf, status, ...) is always plain. ``decoys`` is the
    range the number of decoy digests per object is drawn from. ``rng`` is for reproducible
    tests only: without it salts and decoys come from ``secrets``.
    """
    clash = registered.keys() & claims.keys()
    if clash:
        raise ValueError(f"claims collide with registered claims: {sorted(clash)}")
    _refuse_reserved_names(claims)
    if SD_ALG_KEY in registered or SD_DIGESTS_KEY in registered:
        raise ValueError("registered claims cannot carry _sd or _sd_alg")
    blinder = _Blinder(rng, decoys)
    body = blinder.blind_object(claims, disclosable)
    payload: dict[str, Any] = {**registered, **body, SD_ALG_KEY: SD_ALG}
    jwt = signer.sign_compact({"typ": typ}, payload)
    compact = SEPARATOR.join((jwt, *(d.encoded for d in blinder.disclosures), ""))
    return IssuedSdJwt(compact=compact, disclosures=blinder.disclosures, payload=payload)
