"""Synthetic stand-ins for the agencies' registries (MOIS, NTS, NHIS, NPS, MOLIT, KNPA, MMA, MOJ).

``SyntheticPopulation`` is the one entry point; ``Person`` and the record dataclasses in
``issuers.sources.records`` are what adapters read.
"""

from issuers.sources.households import Household
from issuers.sources.person import Person
from issuers.sources.population import (
    DEFAULT_AS_OF,
    DEFAULT_SEED,
    SyntheticPopulation,
    built_population,
)

__all__ = ["DEFAULT_AS_OF", "DEFAULT_SEED", "Household", "Person", "SyntheticPopulation", "built_population"]
