"""The QR checks by stable id; a QR profile is a list of these with options.

Run by ``verifiers.check_runner`` like the SD-JWT checks: a check returns None, ``SKIPPED``
(an online check while offline) or raises a ``schemas.errors.WalletError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from verifiers.qr.checks import (
    credential_status,
    declaration_current,
    device_state,
    lifetime,
    profile_claims,
    signature,
    single_use,
)
from verifiers.check_runner import CheckResult
from verifiers.qr.context import QrContext

QrCheck = Callable[[QrContext, Mapping[str, Any]], CheckResult]

QR_CHECKS: dict[str, QrCheck] = {
    module.ID: module.check
    for module in (signature, lifetime, profile_claims, credential_status, device_state, declaration_current, single_use)
}
