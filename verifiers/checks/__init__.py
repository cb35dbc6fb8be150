"""The named checks: a registry by stable id. A profile is a list of these ids."""

from __future__ import annotations

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
from verifiers.check_runner import Check
from verifiers.context import VerificationContext

#: run by ``verifiers.check_runner``: a check returns None or raises a
#: ``schemas.errors.VerificationError`` naming the failure
CHECKS: dict[str, Check[VerificationContext]] = {
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
