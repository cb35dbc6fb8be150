"""The named checks: a registry by stable id. A profile is a list of these ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from verifiers.checks import (
    disclosures,
    holder_binding,
    issuer_trust,
    nonce_audience,
    parse,
    replay,
    required_claims,
    signature,
    status,
    typ,
    validity,
)
from verifiers.context import VerificationContext

#: a check returns nothing or raises a schemas.errors.VerificationError naming the failure
Check = Callable[[VerificationContext, Mapping[str, Any]], None]

CHECKS: dict[str, Check] = {
    module.ID: module.check
    for module in (
        parse,
        typ,
        issuer_trust,
        signature,
        validity,
        status,
        disclosures,
        holder_binding,
        nonce_audience,
        required_claims,
        replay,
    )
}
