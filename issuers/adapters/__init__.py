"""Source adapters: one per agency, looked up by ``adapter_id`` (see ``base`` for the contract).

``build_adapters(population)`` returns the ``ADAPTERS`` registry the issuing pipeline uses.
Customs (``customs_declaration``) has no adapter: the traveller fills the declaration in.
"""

from __future__ import annotations

from issuers.adapters.base import SourceAdapter, Subject
from issuers.adapters.knpa import KnpaAdapter
from issuers.adapters.local_tax import LocalTaxAdapter
from issuers.adapters.mma_military import MmaMilitaryAdapter
from issuers.adapters.mois_civil_servant import MoisCivilServantAdapter
from issuers.adapters.mois_resident import MoisResidentAdapter
from issuers.adapters.moj_immigration import MojImmigrationAdapter
from issuers.adapters.molit_register import MolitRegisterAdapter
from issuers.adapters.nhis_insurance import NhisInsuranceAdapter
from issuers.adapters.nps_pension import NpsPensionAdapter
from issuers.adapters.nts_tax import NtsTaxAdapter
from issuers.adapters.population_adapter import PopulationAdapter
from issuers.synthetic_registry import SyntheticPopulation

#: every adapter backed by the synthetic population; adding an agency is adding it here
ADAPTER_CLASSES: tuple[type[PopulationAdapter], ...] = (
    MoisResidentAdapter,
    LocalTaxAdapter,
    NtsTaxAdapter,
    MojImmigrationAdapter,
    NhisInsuranceAdapter,
    NpsPensionAdapter,
    MolitRegisterAdapter,
    KnpaAdapter,
    MmaMilitaryAdapter,
    MoisCivilServantAdapter,
)


def build_adapters(population: SyntheticPopulation) -> dict[str, SourceAdapter]:
    """The ADAPTERS registry keyed by ``adapter_id``."""
    return {cls.adapter_id: cls(population) for cls in ADAPTER_CLASSES}


__all__ = ["ADAPTER_CLASSES", "PopulationAdapter", "SourceAdapter", "Subject", "build_adapters"]
