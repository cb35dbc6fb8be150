"""The interface between the issuing pipeline and the agencies' systems.

A *source adapter* is what a production connector to a real agency system implements
(MOIS's resident registry, NTS's tax system, NHIS, NPS, MOLIT's registers, KNPA's driver
registry, MMA, MOJ). It answers one question for the pipeline: "what are the claims of
certificate type T for the person with this resident registration number?"

Contract
--------
``adapter_id``
    Stable id; a type file names the adapter that serves it (``adapter = "knpa"``) and the
    pipeline looks it up in the ``ADAPTERS`` registry built by ``build_adapters``.
``agency_id``
    The agency the records come from, equal to ``agency.id`` in the type files it serves.
``fetch_claims(type_def, subject)``
    Returns the claims of ``type_def`` for ``subject`` as plain JSON values, nested exactly
    as the type file defines them (objects, arrays of objects); dates are ``"YYYY-MM-DD"``
    strings, integers are ``int``, optional claims with no value are left out (never
    ``None``). It does **not** return derived claims (``age_over_19``): the pipeline computes
    those, so an agency cannot assert an age its birth date does not support.
    Raises ``schemas.errors.NoRecord`` (detail naming the agency and the type) when the agency
    has no record: no licence, no building, no pension membership, an unknown person, or a
    state in which the agency refuses to certify (tax arrears for a tax-payment certificate).
    Raises ``schemas.errors.UnknownCertificateType`` for a type it does not serve.
``has_record(type_def, subject)``
    A cheap yes/no with the same answer as "fetch_claims would not raise NoRecord"; used to
    list which certificates a person can get (``ecert people --json``).

A connector must not cache claims across calls (records change daily: arrears, penalty
points, moves) and must not log them: they are personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from schemas.registry import CertificateType


@dataclass(frozen=True)
class Subject:
    """Who the certificate is about."""

    #: the resident registration number: the national key every agency looks people up by
    rrn: str


@runtime_checkable
class SourceAdapter(Protocol):
    adapter_id: str
    agency_id: str

    def fetch_claims(self, type_def: CertificateType, subject: Subject) -> dict[str, Any]:
        """The non-derived claims of ``type_def`` for ``subject``; ``NoRecord`` if none."""
        ...

    def has_record(self, type_def: CertificateType, subject: Subject) -> bool:
        """Whether ``fetch_claims`` would find a record (cheap: no claims are built)."""
        ...
