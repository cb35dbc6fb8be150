"""Synthetic stand-ins for the agencies' registries (MOIS, NTS, NHIS, NPS, MOLIT, KNPA, MMA, MOJ).

``SyntheticPopulation`` is the one entry point; ``Person`` and the record dataclasses in
``issuers.synthetic_registry.records`` are what adapters read.
"""

from issuers.synthetic_registry.households import Household
from issuers.synthetic_registry.person import Person
from issuers.synthetic_registry.population import (
    DEFAULT_AS_OF,
    DEFAULT_SEED,
    SyntheticPopulation,
    built_population,
)

__all__ = ["DEFAULT_AS_OF", "DEFAULT_SEED", "Household", "Person", "SyntheticPopulation", "built_population"]
