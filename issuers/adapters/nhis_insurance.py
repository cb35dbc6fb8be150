"""National Health Insurance Service: 자격득실확인서 and 건강보험료 납부확인서."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person
from issuers.synthetic_registry.insurance import DEPENDANT


class NhisInsuranceAdapter(PopulationAdapter):
    adapter_id = "nhis_insurance"
    agency_id = "nhis"
    agency_name = "국민건강보험공단"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {
            "health_insurance_eligibility": TypeMapping(self._no_coverage, self._eligibility),
            "health_insurance_premium_payment": TypeMapping(self._no_premiums, self._premiums),
        }

    @staticmethod
    def _no_coverage(person: Person) -> str | None:
        return None if person.insurance else "never covered"

    @staticmethod
    def _no_premiums(person: Person) -> str | None:
        # dependants (피부양자) are covered without paying premiums of their own
        return (
            None if person.premiums else "no premiums paid in the last twelve months (covered as a dependant)"
        )

    @staticmethod
    def _eligibility(person: Person) -> dict[str, Any]:
        return {
            **identity(person),
            "history": [
                {
                    "subscriber_type": entry.category,
                    "workplace_name": entry.workplace_name,
                    "acquisition_date": entry.acquired,
                    "loss_date": entry.lost,
                }
                for entry in person.insurance
            ],
        }

    @staticmethod
    def _premiums(person: Person) -> dict[str, Any]:
        payments = person.premiums
        first_year, first_month = map(int, payments[0].month.split("-"))
        last_year, last_month = map(int, payments[-1].month.split("-"))
        last_day = calendar.monthrange(last_year, last_month)[1]
        latest = person.insurance[-1]
        paying = [e for e in person.insurance if e.category != DEPENDANT]
        return {
            **identity(person),
            # the category the latest premium was paid under
            "subscriber_type": latest.category if latest.category != DEPENDANT else paying[-1].category,
            "period_start": date(first_year, first_month, 1),
            "period_end": date(last_year, last_month, last_day),
            "months_paid": len(payments),
            "total_amount": sum(p.amount for p in payments),
            "payments": [{"month": p.month, "amount": p.amount} for p in payments],
        }
