"""The records the synthetic agency registries hold, one frozen dataclass per record kind.

Everything is immutable (tuples, not lists) so a ``Person`` can be shared between adapters
and compared for equality in the determinism tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


# --- 행정안전부: residents, households, addresses -------------------------------------------
@dataclass(frozen=True)
class Address:
    sido: str
    sigungu: str
    road_name: str
    building_number: str
    #: apartment block/unit ("101동 1203호"); empty for a detached house
    detail: str
    postal_code: str
    #: 법정동 and 지번, for the lot-number form land and building registers use
    dong: str
    lot_number: str
    #: 10-digit 법정동코드 of ``dong``
    dong_code: str

    @property
    def road_address(self) -> str:
        base = f"{self.sido} {self.sigungu} {self.road_name} {self.building_number}"
        return f"{base}, {self.detail}" if self.detail else base

    @property
    def lot_address(self) -> str:
        return f"{self.sido} {self.sigungu} {self.dong} {self.lot_number}"


@dataclass(frozen=True)
class AddressEntry:
    """One line of the address history (주민등록표 초본): where, from when, until when."""

    address: Address
    moved_in: date
    #: None for the current address
    moved_out: date | None
    #: 전입 / 출생 (registered at birth)
    reason: str


# --- 국세청 and local governments: taxes -----------------------------------------------------
@dataclass(frozen=True)
class TaxAssessment:
    year: int
    #: 종합소득세, 근로소득세, 재산세, 자동차세, 주민세 …
    tax_item: str
    amount: int
    due_date: date
    #: None while unpaid (arrears)
    paid_date: date | None

    @property
    def in_arrears(self) -> bool:
        return self.paid_date is None


# --- employers, NHIS, NPS -----------------------------------------------------------------
@dataclass(frozen=True)
class Employer:
    name: str
    #: 사업자등록번호 NNN-NN-NNNNN
    business_number: str
    #: 사업장관리번호, the NHIS/NPS key of the workplace (business number + 3 digits)
    workplace_number: str
    is_public: bool


@dataclass(frozen=True)
class Employment:
    employer: Employer
    start: date
    #: None while still employed
    end: date | None
    monthly_income: int
    #: the person runs this business (지역가입자 in NHIS/NPS, 종합소득세 to NTS)
    self_employed: bool


@dataclass(frozen=True)
class InsuranceEntry:
    """One eligibility period of national health insurance (자격득실)."""

    #: 직장가입자 (employee) / 지역가입자 (self-insured) / 피부양자 (dependant)
    category: str
    #: the employer for 직장가입자, the supporting member's name for 피부양자, else None
    workplace_name: str | None
    acquired: date
    lost: date | None


@dataclass(frozen=True)
class PremiumPayment:
    #: "YYYY-MM" of the premium month
    month: str
    amount: int
    paid_date: date


@dataclass(frozen=True)
class PensionEntry:
    """One membership period of the national pension (국민연금 가입이력)."""

    #: 사업장가입자 (workplace) / 지역가입자 (self-employed, regional)
    category: str
    workplace_name: str | None
    acquired: date
    lost: date | None
    months: int
    monthly_income: int


# --- 국토교통부: land and buildings ----------------------------------------------------------
@dataclass(frozen=True)
class Building:
    register_number: str
    address: Address
    #: 주용도: 단독주택 / 아파트 / 제1종근린생활시설 …
    #: 건물명, empty for most detached houses
    building_name: str
    main_use: str
    structure: str
    floors_above: int
    floors_below: int
    height_m: float
    site_area_m2: float
    building_area_m2: float
    total_floor_area_m2: float
    permit_date: date
    approval_date: date
    #: when this owner acquired it
    acquired: date
    #: "1/1", "1/2"
    ownership_share: str


@dataclass(frozen=True)
class LandParcel:
    #: 19-digit 필지고유번호 (PNU)
    pnu: str
    address: Address
    #: 지목: 대 / 전 / 답 / 임야 / 잡종지
    land_category: str
    area_m2: float
    #: 개별공시지가, won per m²
    official_price_per_m2: int
    price_year: int
    acquired: date
    #: 변동원인: 매매 / 상속 / 증여 / 소유권보존
    acquisition_reason: str
    ownership_share: str


# --- 경찰청: driving ----------------------------------------------------------------------
@dataclass(frozen=True)
class DriverLicence:
    #: "11-23-456789-01": region, year of first issue, serial, check/reissue digits
    number: str
    classes: tuple[str, ...]
    first_issued: date
    #: issue date of the card currently held
    issued: date
    #: end of the aptitude-test/renewal period
    expires: date
    #: 면허 조건 codes: A (automatic only), B (hand controls), E (hearing aid) …; usually none
    conditions: tuple[str, ...]
    #: six-character serial printed on the card (암호일련번호)
    card_serial: str
    issuing_agency: str


@dataclass(frozen=True)
class TrafficViolation:
    date: date
    description: str
    points: int
    fine: int


@dataclass(frozen=True)
class TrafficAccident:
    date: date
    description: str
    #: 경상 / 중상 / 물적피해
    severity: str
    points: int


# --- 병무청: military service ---------------------------------------------------------------
@dataclass(frozen=True)
class MilitaryService:
    #: 병역처분: 현역 / 보충역 / 전시근로역 / 면제
    disposition: str
    #: 군별 for those who served: 육군 / 해군 / 공군 / 해병대 (사회복무요원 for 보충역)
    branch: str | None
    rank: str | None
    service_number: str | None
    enlisted: date | None
    discharged: date | None
    #: 만기전역 / 의병전역 / 소집해제 …
    discharge_type: str | None
    #: why exempted (면제 / 전시근로역 only)
    exemption_reason: str | None
    decided: date


# --- 법무부: immigration --------------------------------------------------------------------
@dataclass(frozen=True)
class Passport:
    number: str
    #: 복수여권 / 단수여권
    kind: str
    issued: date
    expires: date


@dataclass(frozen=True)
class BorderCrossing:
    date: date
    #: "departure" / "arrival" (the codes the entry/exit certificate carries)
    direction: str
    #: port of departure/arrival in Korea
    port: str
    #: destination (출국) or origin (입국)
    country: str
    flight: str


# --- 인사혁신처 / MOIS: civil servants ---------------------------------------------------------
@dataclass(frozen=True)
class CivilServantPost:
    organisation: str
    department: str
    #: 직급 as printed on the card: 행정서기보 … 행정서기관
    grade: str
    #: 직위/호칭: 주무관, 사무관 …
    title: str
    employee_number: str
    appointed: date
    #: the ID card (and the mobile ID mirroring it) currently held
    card_issued: date
    card_expires: date
    #: the employer record the same post appears under in NHIS
    employer: Employer
