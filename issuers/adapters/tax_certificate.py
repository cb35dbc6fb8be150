"""What the two tax-payment certificates (national and local) share: who may get one.

A 납세증명서 certifies that the taxpayer has no arrears, so it exists only for someone the
tax authority knows as a taxpayer and is refused while anything is unpaid.
"""

from __future__ import annotations

from issuers.synthetic_registry.records import TaxAssessment
from issuers.synthetic_registry.taxes import arrears

#: what the certificate is for when the requester does not say; the most common purpose
DEFAULT_PURPOSE = "대금수령"


def refusal(assessments: tuple[TaxAssessment, ...], kind: str) -> str | None:
    if not assessments:
        return f"not registered as a {kind} taxpayer"
    unpaid = arrears(assessments)
    if unpaid:
        return f"{kind} tax of {unpaid:,} won in arrears; the certificate is only issued without arrears"
    return None
