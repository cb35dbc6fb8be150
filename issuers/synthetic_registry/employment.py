"""Who works where: the employer pool and each person's jobs and civil-service posts.

NHIS, NPS, NTS and the civil-servant registry all read from these records, which is what
keeps the employer in a health-insurance history equal to the workplace in the pension record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from issuers.synthetic_registry.dates import add_months, add_years, age_on, random_date
from issuers.synthetic_registry.households import Resident
from issuers.synthetic_registry.records import CivilServantPost, Employer, Employment

_PREFIXES = (
    "한빛",
    "대한",
    "삼화",
    "동양",
    "미래",
    "세진",
    "새롬",
    "한결",
    "태평양",
    "청운",
    "누리",
    "가온",
    "다온",
    "하나",
    "서진",
    "금강",
    "백두",
    "한울",
    "보람",
    "우성",
)
_INDUSTRIES = (
    "전자",
    "건설",
    "물산",
    "소프트",
    "식품",
    "화학",
    "물류",
    "정밀",
    "제약",
    "통신",
    "엔지니어링",
    "디자인",
    "유통",
    "기계",
    "에너지",
)
_SHOPS = ("상회", "식당", "마트", "부동산", "카페", "세탁소", "약국", "공인중개사사무소", "미용실", "학원")
_ORGANISATIONS = (
    ("행정안전부", ("디지털정부정책과", "지방자치분권과", "주민과")),
    ("국세청", ("징세과", "전산정보관리과", "납세자보호과")),
    ("교육부", ("학교정책과", "교원정책과", "평생학습정책과")),
    ("보건복지부", ("보건의료정책과", "연금정책과", "복지정책과")),
    ("국토교통부", ("국토정책과", "건축정책과", "주택정책과")),
    ("경찰청", ("교통안전과", "생활안전과", "수사기획과")),
    ("서울특별시청", ("도시계획과", "민원봉사과", "교통정책과")),
    ("경기도청", ("자치행정과", "세정과", "민원실")),
    ("부산광역시청", ("재정관리과", "세정담당관", "총무과")),
    ("인천광역시청", ("교통정책과", "세정과", "총무과")),
)
CIVIL_SERVANT_SHARE = 0.055

# (직급 as printed on the ID card, 직위/호칭): grades 9 to 4 of the administrative series
_GRADES = (
    ("행정서기보", "주무관"),
    ("행정서기", "주무관"),
    ("행정주사보", "주무관"),
    ("행정주사", "주무관"),
    ("행정사무관", "사무관"),
    ("행정서기관", "서기관"),
)


def business_number(rng: random.Random) -> str:
    """A 사업자등록번호 with a valid check digit (weights 1,3,7,1,3,7,1,3,5)."""
    digits = [rng.randint(1, 9), *(rng.randint(0, 9) for _ in range(2)), rng.choice((81, 86, 87))]
    body = [*digits[:3], digits[3] // 10, digits[3] % 10, *(rng.randint(0, 9) for _ in range(4))]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(body, weights, strict=True)) + body[8] * 5 // 10
    check = (10 - total % 10) % 10
    text = "".join(map(str, body)) + str(check)
    return f"{text[:3]}-{text[3:5]}-{text[5:]}"


class EmployerPool:
    """A fixed set of companies and public bodies people are hired by."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        # names are unique: NHIS and NPS records are matched to employment by workplace name
        names = rng.sample([f"(주){p}{i}" for p in _PREFIXES for i in _INDUSTRIES], 150)
        self.companies = [self._employer(name, False) for name in names]
        self.public = {org: self._employer(org, True) for org, _ in _ORGANISATIONS}

    def _employer(self, name: str, is_public: bool) -> Employer:
        number = business_number(self._rng)
        return Employer(
            name=name,
            business_number=number,
            workplace_number=number.replace("-", "") + f"{self._rng.randint(0, 9)}",
            is_public=is_public,
        )

    def shop(self, owner: Resident) -> Employer:
        """A one-person business named after its owner, as small Korean shops often are."""
        return self._employer(f"{owner.name[1:]}{self._rng.choice(_SHOPS)}", False)


class EmploymentBuilder:
    def __init__(
        self, rng: random.Random, as_of: date, pool: EmployerPool, residents: list[Resident]
    ) -> None:
        self._rng = rng
        self._as_of = as_of
        # a fixed share rather than a coin per person: the civil-servant ID needs enough
        # holders in every population, and the share should not swing with the seed
        eligible = [r.person_id for r in residents if 24 <= age_on(r.birth_date, as_of) <= 59]
        quota = min(len(eligible), round(len(residents) * CIVIL_SERVANT_SHARE))
        self._civil_servants = frozenset(rng.sample(eligible, quota))
        # a job starting on the snapshot day would have no day on record in NHIS or NPS
        self._latest_start = as_of - timedelta(days=1)
        self._pool = pool

    def careers(self, resident: Resident) -> tuple[tuple[Employment, ...], CivilServantPost | None]:
        rng = self._rng
        age = age_on(resident.birth_date, self._as_of)
        if add_years(resident.birth_date, 20) > self._latest_start:
            return (), None
        career_start = random_date(
            rng,
            add_years(resident.birth_date, 20),
            min(add_years(resident.birth_date, 29), self._latest_start),
        )
        if resident.person_id in self._civil_servants:
            return self._civil_servant(resident, career_start)
        roll = rng.random()
        if roll < 0.62:
            return self._jobs(resident, career_start, still_working=age < 63 and rng.random() < 0.85), None
        if roll < 0.76:
            return (self._business(resident, career_start),), None
        return (), None

    def _income(self, start: date) -> int:
        # round to ten thousand won, as the standard monthly income is declared
        return self._rng.randint(210, 720) * 10_000 + (start.year - 2000) * 20_000

    def _jobs(self, resident: Resident, start: date, still_working: bool) -> tuple[Employment, ...]:
        rng = self._rng
        jobs: list[Employment] = []
        cursor = start
        count = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
        retirement = add_years(resident.birth_date, rng.randint(55, 62))
        for index in range(count):
            last = index == count - 1
            end: date | None
            if last:
                end = None if still_working else min(retirement, random_date(rng, cursor, self._as_of))
            else:
                end = random_date(rng, add_months(cursor, 6), add_months(cursor, 84))
                if end >= self._as_of:
                    end = None
            if end is not None and end <= cursor:
                end = add_months(cursor, 6) if add_months(cursor, 6) < self._as_of else None
            jobs.append(
                Employment(rng.choice(self._pool.companies), cursor, end, self._income(cursor), False)
            )
            if end is None:
                break
            cursor = add_months(end, rng.randint(0, 8))
            if cursor >= self._as_of:
                break
        return tuple(jobs)

    def _business(self, resident: Resident, start: date) -> Employment:
        opened = random_date(self._rng, start, min(add_years(start, 15), self._latest_start))
        return Employment(self._pool.shop(resident), opened, None, self._income(opened), True)

    def _civil_servant(
        self, resident: Resident, start: date
    ) -> tuple[tuple[Employment, ...], CivilServantPost]:
        rng = self._rng
        organisation, departments = rng.choice(_ORGANISATIONS)
        employer = self._pool.public[organisation]
        appointed = random_date(rng, start, min(add_years(start, 6), self._latest_start))
        years = age_on(appointed, self._as_of)
        # most start at grade 9 or 7 and are promoted every six years or so
        start_step = 2 if rng.random() < 0.3 else 0
        grade, title = _GRADES[min(start_step + years // 6, len(_GRADES) - 1)]
        # cards are valid five years; every holder has renewed in the last two (the mobile ID
        # programme reissued them all), so none expires soon after the snapshot date
        card_issued = random_date(rng, max(appointed, add_years(self._as_of, -2)), self._as_of)
        post = CivilServantPost(
            organisation=organisation,
            department=rng.choice(departments),
            grade=grade,
            title=title,
            employee_number=f"{appointed.year}{rng.randint(0, 9999):04d}",
            appointed=appointed,
            card_issued=card_issued,
            card_expires=add_years(card_issued, 5),
            employer=employer,
        )
        job = Employment(employer, appointed, None, self._income(appointed), False)
        return (job,), post
