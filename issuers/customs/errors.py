"""Customs declaration refusals (inside the one ``WalletError`` tree)."""

from __future__ import annotations

from schemas.errors import Conflict, InvalidInput


class DeclarationCleared(Conflict):
    code, title = "declaration_cleared", "Declaration already accepted at the gate"


class ArrivalPassed(Conflict):
    code, title = "arrival_passed", "The arrival day has passed"


class NoCustomsRule(InvalidInput):
    """The rule book has no period in force on the day asked about (before the first one)."""

    code, title = "no_customs_rule", "No customs rule covers this date"


class DeclarationTooLarge(InvalidInput):
    """The declaration's QR would not fit version 15-M: refused before anything is signed."""

    code, title = "declaration_too_large", "Declaration too large for its QR code"
