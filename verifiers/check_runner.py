"""One way to run named checks, for SD-JWT presentations and QR codes alike.

A profile is a sequence of ``CheckStep``s; each names a check in a registry and its options.
A check returns None when it passed, ``SKIPPED`` when it does not apply (an online check on
an offline desk), or raises a ``schemas.errors.WalletError`` naming the failure. The run
stops at the first failure; every check that ran is in the outcomes, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from schemas.errors import WalletError
from verifiers.result import CheckOutcome

SKIPPED: Literal["skipped"] = "skipped"
CheckResult = Literal["skipped"] | None
Ctx = TypeVar("Ctx")
Check = Callable[[Ctx, Mapping[str, Any]], CheckResult]


@dataclass(frozen=True)
class CheckStep:
    id: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class CheckRun:
    outcomes: tuple[CheckOutcome, ...]
    #: the refusal that stopped the run; None when every check passed or was skipped
    failure: WalletError | None


def unknown_checks(steps: Sequence[CheckStep], checks: Mapping[str, Any]) -> list[str]:
    return [step.id for step in steps if step.id not in checks]


def run_checks(steps: Sequence[CheckStep], checks: Mapping[str, Check[Ctx]], ctx: Ctx) -> CheckRun:
    outcomes: list[CheckOutcome] = []
    for step in steps:
        try:
            result = checks[step.id](ctx, step.options)
        except WalletError as exc:
            outcomes.append(CheckOutcome(step.id, False, exc.code, exc.detail))
            return CheckRun(tuple(outcomes), exc)
        outcomes.append(CheckOutcome(step.id, True, skipped=result == SKIPPED))
    return CheckRun(tuple(outcomes), None)
