"""MOLIT registers (세움터, 부동산종합공부): building register copy and extract, land register.

A person can own several properties; the certificate is about the first one on record (a
production connector would take the register number from the request).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person


def _site(sido: str, sigungu: str, dong: str) -> str:
    return f"{sido} {sigungu} {dong}"


class MolitRegisterAdapter(PopulationAdapter):
    adapter_id = "molit_register"
    agency_id = "molit"
    agency_name = "국토교통부"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        # the copy and the extract are one register record cut differently by the type files
        building = TypeMapping(self._no_building, self._building)
        return {
            "building_register_copy": building,
            "building_register_extract": building,
            "land_register": TypeMapping(self._no_land, self._land),
        }

    @staticmethod
    def _no_building(person: Person) -> str | None:
        return None if person.buildings else "owns no building"

    @staticmethod
    def _no_land(person: Person) -> str | None:
        return None if person.land else "owns no land"

    @staticmethod
    def _building(person: Person) -> dict[str, Any]:
        b = person.buildings[0]
        a = b.address
        return {
            "unique_number": b.register_number,
            "building_address": _site(a.sido, a.sigungu, a.dong),
            "lot_number": a.lot_number,
            # the building's own road address: an apartment unit is not part of it
            "road_address": f"{a.sido} {a.sigungu} {a.road_name} {a.building_number}",
            "building_name": b.building_name or None,
            "owner_name": person.name,
            "owner_address": person.address.road_address,
            "main_use": b.main_use,
            "structure": b.structure,
            "site_area_m2": b.site_area_m2,
            "building_area_m2": b.building_area_m2,
            "total_floor_area_m2": b.total_floor_area_m2,
            "building_coverage_ratio": round(b.building_area_m2 / b.site_area_m2 * 100, 2),
            "floor_area_ratio": round(b.total_floor_area_m2 / b.site_area_m2 * 100, 2),
            "floors_above_ground": b.floors_above,
            "floors_below_ground": b.floors_below,
            "height_m": b.height_m,
            "permit_date": b.permit_date,
            "approval_date": b.approval_date,
        }

    @staticmethod
    def _land(person: Person) -> dict[str, Any]:
        parcel = person.land[0]
        a = parcel.address
        pnu = parcel.pnu
        return {
            # printed grouped as on the register: 법정동코드-대장구분+본번-부번
            "unique_number": f"{pnu[:10]}-{pnu[10:15]}-{pnu[15:]}",
            "land_address": _site(a.sido, a.sigungu, a.dong),
            "lot_number": a.lot_number,
            "land_category": parcel.land_category,
            "area_m2": parcel.area_m2,
            "owner_name": person.name,
            "owner_address": person.address.road_address,
            "ownership_change_date": parcel.acquired,
            "ownership_change_reason": parcel.acquisition_reason,
            "official_land_price": parcel.official_price_per_m2,
            # 개별공시지가 are announced as of 1 January of their year
            "official_land_price_base_date": date(parcel.price_year, 1, 1),
        }
