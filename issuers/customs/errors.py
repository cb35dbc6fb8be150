"""Customs declaration refusals (inside the one ``WalletError`` tree)."""

from __future__ import annotations

from schemas.errors import Conflict


class DeclarationCleared(Conflict):
    code, title = "declaration_cleared", "Declaration already accepted at the gate"


class ArrivalPassed(Conflict):
    code, title = "arrival_passed", "The arrival day has passed"
