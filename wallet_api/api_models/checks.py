"""One check of a verification as the API shows it (``checks[]``)."""

from __future__ import annotations

from wallet_api.api_models.base import Answer


class CheckOutcomeModel(Answer):
    """One check of a verification, SD-JWT VC or QR alike (``verifiers.result.CheckOutcome``):
    its id, whether it passed, the stable code when it did not, and whether it was skipped
    (an online check on an offline desk)."""

    id: str
    passed: bool
    code: str | None
    skipped: bool
