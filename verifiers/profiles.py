"""Verifier profiles: which checks run, in which order, with which options.

A bank and a customs desk differ only here. Every profile starts with the checks that
establish what later ones rely on (parse → trust → signature before any claim is read) and
ends with ``replay``, so only a presentation that passed everything consumes its nonce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from schemas.errors import NotFound
from verifiers.checks import CHECKS


@dataclass(frozen=True)
class CheckStep:
    id: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Profile:
    name: str
    steps: tuple[CheckStep, ...]

    def __post_init__(self) -> None:
        unknown = [s.id for s in self.steps if s.id not in CHECKS]
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
