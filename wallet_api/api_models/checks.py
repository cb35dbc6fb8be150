"""One check of a verification as the API shows it (``checks[]``)."""

from __future__ import annotations

from wallet_api.api_models.base import Answer


class CheckOutcomeModel(Answer):
    """An SD-JWT VC check (``verifiers.result.CheckOutcome.public``): its id, whether it
    passed, and the stable code when it did not."""

    id: str
    passed: bool
    code: str | None


class QrCheckModel(Answer):
    """A QR check (``verifiers.qr.pipeline``): its id, what it found (``failed`` and the
    code when it refused), the code."""

    id: str
    result: str
    code: str | None
