"""Verifier profiles: which checks run, in which order, with which options.

A bank and a customs desk differ only here. Every profile starts with the checks that
establish what later ones rely on (parse → trust → signature before any claim is read) and
ends with ``replay``, so only a presentation that passed everything consumes its nonce.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from schemas.errors import Forbidden, InvalidInput, NotFound
from verifiers.check_runner import CheckStep, unknown_checks
from verifiers.checks import CHECKS, holder_binding, parse, replay, typ, validity


@dataclass(frozen=True)
class Profile:
    name: str
    steps: tuple[CheckStep, ...]

    def __post_init__(self) -> None:
        unknown = unknown_checks(self.steps, CHECKS)
        if unknown:
            raise ValueError(f"profile {self.name!r} names unknown checks {unknown}")

    @property
    def check_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    @property
    def needs_challenge(self) -> bool:
        """Whether the caller must say which nonce and audience it expects."""
        return "nonce_audience" in self.check_ids

    def with_required_claims(self, paths: list[list[Any]]) -> "Profile":
        """This profile, also requiring ``paths`` (inserted before replay)."""
        steps = [s for s in self.steps if s.id != "required_claims"]
        existing = next((s for s in self.steps if s.id == "required_claims"), None)
        claims = [*(existing.options.get("claims", []) if existing else []), *paths]
        at = next((i for i, s in enumerate(steps) if s.id == "replay"), len(steps))
        steps.insert(at, CheckStep("required_claims", {"claims": claims}))
        return Profile(self.name, tuple(steps))

    def weaker_than(self, floor: "Profile") -> list[str]:
        """Where this profile checks less than ``floor`` (empty: at least as strict).

        At least as strict means: it runs every check of ``floor``, in the same relative order
        (replay after the checks it guards), each with options no looser than ``floor``'s
        (``OPTION_ORDERS``; an option not listed there must be equal). Extra checks only add
        ways to refuse, so they never make a profile weaker.
        """
        mine = {s.id: s for s in self.steps}
        missing = [s.id for s in floor.steps if s.id not in mine]
        if missing:
            return [f"does not run {missing}"]
        order = [s.id for s in self.steps if s.id in {f.id for f in floor.steps}]
        if order != floor.check_ids:
            return [f"runs {order} in another order than {floor.check_ids}"]
        return [
            f"{step.id}.{name}"
            for step in floor.steps
            for name in sorted({*step.options, *mine[step.id].options})
            if not _no_looser(step.id, name, mine[step.id].options, step.options)
        ]


#: an option's strictness: ``(candidate, floor) -> candidate is no looser than floor``
Stricter = Callable[[Any, Any], bool]


def _lower(candidate: Any, floor: Any) -> bool:
    return bool(int(candidate) <= int(floor))


def _higher(candidate: Any, floor: Any) -> bool:
    return bool(int(candidate) >= int(floor))


def _demanded(candidate: Any, floor: Any) -> bool:
    # a requirement may be added, never dropped
    return bool(candidate) or not bool(floor)


def _superset(candidate: Any, floor: Any) -> bool:
    return {tuple(p) for p in floor} <= {tuple(p) for p in candidate}


#: per check, how each option orders strictness and the value the check uses when it is absent
OPTION_ORDERS: Mapping[str, Mapping[str, tuple[Stricter, Any]]] = MappingProxyType({
    "parse": {"max_chars": (_lower, parse.MAX_PRESENTATION_CHARS)},
    "typ": {"typ": (lambda c, f: c == f, typ.SD_JWT_VC_TYP)},
    "disclosures": {"typ": (lambda c, f: c == f, typ.SD_JWT_VC_TYP)},
    "validity": {"leeway_s": (_lower, validity.DEFAULT_LEEWAY_S), "require_exp": (_demanded, True)},
    "status": {"required": (_demanded, True)},
    "holder_binding": {
        "required": (_demanded, True),
        "max_age_s": (_lower, holder_binding.DEFAULT_MAX_AGE_S),
        "leeway_s": (_lower, holder_binding.DEFAULT_LEEWAY_S),
    },
    "required_claims": {"claims": (_superset, ())},
    "replay": {"retain_s": (_higher, replay.DEFAULT_RETAIN_S)},
})
_MISSING = object()


def _no_looser(check_id: str, name: str, candidate: Mapping[str, Any], floor: Mapping[str, Any]) -> bool:
    rule = OPTION_ORDERS.get(check_id, {}).get(name)
    if rule is None:  # an option nobody ranked: only the same value is known not to be looser
        return candidate.get(name, _MISSING) == floor.get(name, _MISSING)
    stricter, default = rule
    try:
        return stricter(candidate.get(name, default), floor.get(name, default))
    except (TypeError, ValueError):
        return False


class ProfileWeakerThanRegistered(Forbidden):
    """A caller asked for a profile that checks less than the one its party registered."""

    code, title = "profile_weaker_than_registered", "Profile weaker than the registered one"


def _profile(name: str, *steps: tuple[str, dict[str, Any]] | str) -> Profile:
    built = tuple(CheckStep(s) if isinstance(s, str) else CheckStep(s[0], MappingProxyType(s[1])) for s in steps)
    return Profile(name, built)


_HEAD = ("parse", "typ", "issuer_trust", "signature")

PROFILES: dict[str, Profile] = {
    # a bank opening an account: everything, status must be known
    "bank": _profile(
        "bank", *_HEAD, ("validity", {"leeway_s": 60}), ("status", {"required": True}), "disclosures",
        ("holder_binding", {"required": True, "max_age_s": 300}), "nonce_audience", "replay",
    ),
    # a public office: the same checks, more patient with a slow citizen at the counter
    "office": _profile(
        "office", *_HEAD, ("validity", {"leeway_s": 60}), ("status", {"required": True}), "disclosures",
        ("holder_binding", {"required": True, "max_age_s": 600}), "nonce_audience", "replay",
    ),
    # the customs desk: the traveller is in front of the officer, so the proof must be seconds old
    "customs": _profile(
        "customs", *_HEAD, ("validity", {"leeway_s": 30}), ("status", {"required": True}), "disclosures",
        ("holder_binding", {"required": True, "max_age_s": 120, "leeway_s": 30}), "nonce_audience", "replay",
    ),
    # a credential received by email or upload, without key binding: genuine and current,
    # but it proves nothing about who sent it (the result says so by its checks)
    "upload": _profile(
        "upload", *_HEAD, ("validity", {"leeway_s": 60}), ("status", {"required": True}), "disclosures",
        ("holder_binding", {"required": False}),
    ),
}
DEFAULT_PROFILE = "bank"


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise NotFound(f"no verifier profile {name!r}") from None


def profile_at_least(registered: str, requested: str | None) -> Profile:
    """The profile a call runs: the registered one, or a requested one no weaker than it.

    The registered profile is a floor: a party registered as a bank cannot ask for ``upload``
    to have a presentation without key binding (one forwarded by someone else) judged valid.
    """
    floor = get_profile(registered)
    if requested is None or requested == registered:
        return floor
    chosen = PROFILES.get(requested)
    if chosen is None:
        raise InvalidInput(f"unknown profile {requested!r}; one of {sorted(PROFILES)}")
    weaker = chosen.weaker_than(floor)
    if weaker:
        raise ProfileWeakerThanRegistered(
            f"profile {requested!r} checks less than the registered {registered!r}: {', '.join(weaker)}",
            registered=registered, requested=requested, weaker=weaker,
        )
    return chosen
