"""New addresses, each on its own site.

Two households drawn onto the same lot would share a building register number while their
road addresses differ, so the book remembers every site and road address it handed out and
draws again on a clash.
"""

from __future__ import annotations

import random

from issuers.synthetic_registry.geography import District
from issuers.synthetic_registry.records import Address


class AddressBook:
    def __init__(self) -> None:
        self._sites: set[tuple[str, str]] = set()
        self._roads: set[tuple[str, str, str]] = set()

    def draw(self, rng: random.Random, district: District) -> Address:
        while True:
            address = _random_address(rng, district)
            site = (address.dong_code, address.lot_number)
            road = (district.code, address.road_name, address.building_number)
            if site not in self._sites and road not in self._roads:
                self._sites.add(site)
                self._roads.add(road)
                return address


def _random_address(rng: random.Random, district: District) -> Address:
    dong_index = rng.randrange(len(district.dongs))
    main_lot = rng.randint(1, 999)
    lot = f"{main_lot}-{rng.randint(1, 40)}" if rng.random() < 0.6 else str(main_lot)
    building = str(rng.randint(1, 320))
    # six in ten Koreans live in apartments: block and unit
    detail = (
        f"{rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 6):02d}호"
        if rng.random() < 0.6
        else ""
    )
    return Address(
        sido=district.sido,
        sigungu=district.sigungu,
        road_name=rng.choice(district.roads),
        building_number=building,
        detail=detail,
        postal_code=f"{district.postal_prefix}{rng.randint(0, 999):03d}",
        dong=district.dongs[dong_index],
        lot_number=lot,
        dong_code=f"{district.code}{101 + dong_index}00",
    )
