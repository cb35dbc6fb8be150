"""Buildings and land people own (the MOLIT building and land registers).

Most owners own the home they live in, so the register address equals their resident address;
a married couple often holds it half each, which gives two owners the same register number.
"""

from __future__ import annotations

import random
from datetime import date

from issuers.synthetic_registry.addresses import AddressBook
from issuers.synthetic_registry.dates import add_months, add_years, age_on, random_date
from issuers.synthetic_registry.geography import pick_district
from issuers.synthetic_registry.households import HEAD, SPOUSE, Resident
from issuers.synthetic_registry.records import Address, Building, LandParcel

_APARTMENT_NAMES = ("래미안", "자이", "힐스테이트", "푸르지오", "e편한세상", "더샵", "아이파크", "롯데캐슬")
_FARMLAND = (
    ("전", 300.0, 3000.0, 20_000, 180_000),
    ("답", 500.0, 4000.0, 15_000, 120_000),
    ("임야", 1000.0, 30000.0, 2_000, 40_000),
    ("대", 120.0, 600.0, 400_000, 4_000_000),
)


def _share(co_owned: bool) -> str:
    return "1/2" if co_owned else "1/1"


class PropertyBuilder:
    def __init__(self, rng: random.Random, as_of: date, addresses: AddressBook) -> None:
        self._rng = rng
        self._as_of = as_of
        self._addresses = addresses

    def holdings(
        self, household: list[Resident]
    ) -> dict[str, tuple[tuple[Building, ...], tuple[LandParcel, ...]]]:
        """Buildings and parcels per person id for one household (most get nothing)."""
        rng = self._rng
        result: dict[str, tuple[list[Building], list[LandParcel]]] = {
            r.person_id: ([], []) for r in household
        }
        head = household[0]
        if age_on(head.birth_date, self._as_of) >= 28 and rng.random() < 0.55:
            spouse = next((r for r in household if r.relationship == SPOUSE), None)
            co_owned = spouse is not None and rng.random() < 0.35
            owners = [head, spouse] if co_owned and spouse is not None else [head]
            acquired = max(r.moved_in for r in owners)
            building = self._building(head.address, acquired, _share(co_owned))
            for owner in owners:
                result[owner.person_id][0].append(building)
            if not head.address.detail:
                # a detached house stands on its own parcel, owned with it
                parcel = self._parcel(
                    head.address, "대", acquired, _share(co_owned), size=building.site_area_m2
                )
                for owner in owners:
                    result[owner.person_id][1].append(parcel)
        for resident in household:
            if resident.relationship not in (HEAD, SPOUSE) and age_on(resident.birth_date, self._as_of) < 30:
                continue
            if rng.random() < 0.14:
                category, low, high, *_ = rng.choice(_FARMLAND)
                acquired = random_date(rng, add_years(resident.birth_date, 25), self._as_of)
                address = self._addresses.draw(rng, pick_district(rng))
                result[resident.person_id][1].append(
                    self._parcel(address, category, acquired, "1/1", round(rng.uniform(low, high), 1))
                )
        return {pid: (tuple(b), tuple(land)) for pid, (b, land) in result.items()}

    def _building(self, address: Address, acquired: date, share: str) -> Building:
        rng = self._rng
        is_apartment = bool(address.detail)
        approval = random_date(rng, date(1985, 1, 1), min(acquired, self._as_of))
        floors = rng.randint(10, 35) if is_apartment else rng.randint(1, 3)
        site = round(rng.uniform(8000, 40000), 2) if is_apartment else round(rng.uniform(120, 500), 2)
        footprint = round(site * rng.uniform(0.15, 0.6), 2)
        main, _, sub = address.lot_number.partition("-")
        # 대장 구분: 1 general register (one building), 2 collective register (apartments)
        register_kind = "2" if is_apartment else "1"
        return Building(
            register_number=f"{address.dong_code}-{register_kind}-{int(main):04d}{int(sub or 0):04d}",
            address=address,
            building_name=f"{address.dong}{rng.choice(_APARTMENT_NAMES)}" if is_apartment else "",
            main_use="공동주택"
            if is_apartment
            else rng.choice(("단독주택", "단독주택", "제1종근린생활시설")),
            structure="철근콘크리트구조"
            if is_apartment
            else rng.choice(("철근콘크리트구조", "조적조", "경량철골구조")),
            floors_above=floors,
            floors_below=rng.randint(1, 3) if is_apartment else rng.randint(0, 1),
            height_m=round(floors * rng.uniform(2.8, 3.2), 1),
            site_area_m2=site,
            building_area_m2=footprint,
            total_floor_area_m2=round(footprint * floors * rng.uniform(0.85, 1.0), 2),
            permit_date=add_months(approval, -rng.randint(8, 36)),
            approval_date=approval,
            acquired=acquired,
            ownership_share=share,
        )

    def _parcel(self, address: Address, category: str, acquired: date, share: str, size: float) -> LandParcel:
        rng = self._rng
        _, _, _, low_price, high_price = next(row for row in _FARMLAND if row[0] == category)
        main, _, sub = address.lot_number.partition("-")
        return LandParcel(
            pnu=f"{address.dong_code}1{int(main):04d}{int(sub or 0):04d}",
            address=address,
            land_category=category,
            area_m2=size,
            official_price_per_m2=rng.randint(low_price // 1000, high_price // 1000) * 1000,
            price_year=self._as_of.year,
            acquired=acquired,
            acquisition_reason=rng.choices(("매매", "상속", "증여"), weights=(75, 18, 7))[0],
            ownership_share=share,
        )
