"""Desk views (``desk_views.toml``): which profiles a desk offers and what it shows of each."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from schemas.errors import InvalidInput

VIEWS_FILE = Path(__file__).with_name("desk_views.toml")
DESKS = ("customs", "mobile_id")


@dataclass(frozen=True)
class DeskView:
    desk: str
    profile: str
    #: None: every claim the verifier handed over
    claims: tuple[str, ...] | None
    #: a yes/no desk: the one claim whose truth is the answer
    verdict_claim: str | None

    def shown(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The part of the verifier's answer this desk puts on screen."""
        claims = answer.get("claims")
        view = {
            "valid": answer.get("valid"),
            "code": answer.get("code"),
            "profile": self.profile,
            "replayed": answer.get("replayed", False),
            "first_scanned_at": answer.get("first_scanned_at"),
            "status_checked_at": answer.get("status_checked_at"),
            "expires_at": answer.get("expires_at"),
            "type_id": answer.get("type_id"),
        }
        if self.verdict_claim is not None:
            # yes only for a valid QR that says so; everything else is a no
            view["answer"] = bool(answer.get("valid") and isinstance(claims, dict) and claims.get(self.verdict_claim) is True)
            return view
        if isinstance(claims, dict):
            view["claims"] = claims if self.claims is None else {k: v for k, v in claims.items() if k in self.claims}
        if "customs" in answer:
            view["customs"] = answer["customs"]
        return view


@cache
def desk_views() -> dict[str, dict[str, DeskView]]:
    raw = tomllib.loads(VIEWS_FILE.read_text(encoding="utf-8"))
    views: dict[str, dict[str, DeskView]] = {}
    for desk in DESKS:
        for profile, entry in raw.get(desk, {}).items():
            claims = entry.get("claims")
            views.setdefault(desk, {})[profile] = DeskView(
                desk, profile, None if claims == "all" else tuple(claims), entry.get("verdict_claim")
            )
    return views


def desk_view(desk: str, profile: str | None) -> DeskView:
    offered = desk_views().get(desk)
    if offered is None:
        raise InvalidInput(f"unknown desk {desk!r}; one of {list(DESKS)}")
    chosen = profile or next(iter(offered))
    if chosen not in offered:
        raise InvalidInput(f"the {desk} desk offers {list(offered)}, not {chosen!r}")
    return offered[chosen]
