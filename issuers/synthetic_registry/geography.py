"""Where the synthetic people live: provinces, districts, road names and legal dongs.

A handful of real districts per province is enough for addresses to read naturally and for
records that are keyed by region (driving-licence region code, legal-dong code of a land
parcel, tax office) to stay consistent with the address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    sido: str
    sigungu: str
    #: first five digits of the 10-digit 법정동코드, also the start of a parcel's PNU
    code: str
    postal_prefix: str
    dongs: tuple[str, ...]
    roads: tuple[str, ...]


@dataclass(frozen=True)
class Province:
    sido: str
    #: two-digit region code printed at the start of a driving-licence number
    licence_region: str
    #: share of the population, roughly as in the 2020 census
    weight: int
    districts: tuple[District, ...]


def _d(sido: str, sigungu: str, code: str, postal: str, dongs: str, roads: str) -> District:
    return District(sido, sigungu, code, postal, tuple(dongs.split()), tuple(roads.split()))


_S, _B, _I, _G = "서울특별시", "부산광역시", "인천광역시", "경기도"
_DG, _GJ, _DJ, _US = "대구광역시", "광주광역시", "대전광역시", "울산광역시"
_SJ, _GW, _CB, _CN = "세종특별자치시", "강원특별자치도", "충청북도", "충청남도"
_JB, _JN, _GB, _GN, _JJ = "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도"

PROVINCES: tuple[Province, ...] = (
    Province(
        _S,
        "11",
        187,
        (
            _d(
                _S,
                "강남구",
                "11680",
                "06",
                "역삼동 삼성동 대치동 논현동",
                "테헤란로 봉은사로 도산대로 선릉로",
            ),
            _d(_S, "마포구", "11440", "04", "서교동 합정동 망원동 공덕동", "월드컵로 양화로 독막로 마포대로"),
            _d(_S, "노원구", "11350", "01", "상계동 중계동 하계동 공릉동", "동일로 노원로 한글비석로 화랑로"),
            _d(
                _S,
                "송파구",
                "11710",
                "05",
                "잠실동 가락동 문정동 방이동",
                "올림픽로 송파대로 백제고분로 양재대로",
            ),
            _d(
                _S,
                "종로구",
                "11110",
                "03",
                "청운동 사직동 혜화동 평창동",
                "세종대로 율곡로 대학로 평창문화로",
            ),
        ),
    ),
    Province(
        _B,
        "12",
        65,
        (
            _d(
                _B,
                "해운대구",
                "26350",
                "48",
                "우동 중동 좌동 재송동",
                "해운대로 센텀중앙로 달맞이길 좌동순환로",
            ),
            _d(
                _B,
                "부산진구",
                "26230",
                "47",
                "부전동 전포동 양정동 범천동",
                "중앙대로 서면로 전포대로 동천로",
            ),
        ),
    ),
    Province(
        _I,
        "23",
        57,
        (
            _d(
                _I,
                "연수구",
                "28185",
                "21",
                "송도동 연수동 청학동 동춘동",
                "컨벤시아대로 센트럴로 경원대로 청능대로",
            ),
            _d(_I, "부평구", "28237", "21", "부평동 산곡동 삼산동 갈산동", "부평대로 경원대로 굴포로 길주로"),
        ),
    ),
    Province(
        _G,
        "13",
        260,
        (
            _d(
                _G,
                "수원시 영통구",
                "41117",
                "16",
                "매탄동 원천동 영통동 이의동",
                "광교중앙로 영통로 매영로 월드컵로",
            ),
            _d(
                _G,
                "성남시 분당구",
                "41135",
                "13",
                "정자동 서현동 수내동 야탑동",
                "불정로 황새울로 성남대로 분당로",
            ),
            _d(
                _G,
                "고양시 일산동구",
                "41285",
                "10",
                "장항동 마두동 백석동 식사동",
                "중앙로 강송로 일산로 호수로",
            ),
            _d(
                _G,
                "용인시 수지구",
                "41465",
                "16",
                "풍덕천동 죽전동 상현동 성복동",
                "수지로 포은대로 문정로 광교중앙로",
            ),
            _d(
                _G,
                "화성시",
                "41590",
                "18",
                "동탄동 봉담읍 향남읍 병점동",
                "동탄대로 효행로 삼천병마로 병점로",
            ),
        ),
    ),
    Province(
        _DG,
        "22",
        46,
        (
            _d(
                _DG,
                "수성구",
                "27260",
                "42",
                "범어동 만촌동 황금동 수성동",
                "달구벌대로 동대구로 수성로 청수로",
            ),
            _d(_DG, "달서구", "27290", "42", "상인동 월성동 본리동 이곡동", "월배로 달서대로 조암로 와룡로"),
        ),
    ),
    Province(
        _GJ,
        "24",
        28,
        (
            _d(
                _GJ,
                "서구",
                "29140",
                "61",
                "치평동 화정동 쌍촌동 풍암동",
                "상무중앙로 무진대로 내방로 풍암대로",
            ),
        ),
    ),
    Province(
        _DJ,
        "25",
        28,
        (
            _d(
                _DJ,
                "유성구",
                "30200",
                "34",
                "봉명동 궁동 노은동 관평동",
                "대학로 유성대로 노은동로 테크노중앙로",
            ),
            _d(_DJ, "서구", "30170", "35", "둔산동 탄방동 관저동 월평동", "둔산로 한밭대로 계룡로 관저중로"),
        ),
    ),
    Province(
        _US,
        "26",
        22,
        (_d(_US, "남구", "31140", "44", "삼산동 달동 신정동 무거동", "삼산로 번영로 문수로 대학로"),),
    ),
    Province(
        _SJ,
        "29",
        7,
        (
            _d(
                _SJ,
                "세종특별자치시",
                "36110",
                "30",
                "도담동 어진동 나성동 보람동",
                "한누리대로 도움5로 갈매로 보듬3로",
            ),
        ),
    ),
    Province(
        _GW,
        "14",
        30,
        (
            _d(_GW, "춘천시", "51110", "24", "석사동 퇴계동 후평동 온의동", "중앙로 공지로 퇴계로 석사로"),
            _d(_GW, "원주시", "51130", "26", "단계동 무실동 반곡동 명륜동", "원일로 북원로 시청로 능라동길"),
        ),
    ),
    Province(
        _CB,
        "15",
        31,
        (
            _d(
                _CB,
                "청주시 흥덕구",
                "43113",
                "28",
                "복대동 가경동 봉명동 오송읍",
                "직지대로 2순환로 가로수로 오송생명로",
            ),
        ),
    ),
    Province(
        _CN,
        "16",
        41,
        (
            _d(
                _CN,
                "천안시 서북구",
                "44133",
                "31",
                "불당동 쌍용동 성정동 백석동",
                "번영로 불당대로 월봉로 성정두정로",
            ),
            _d(
                _CN, "아산시", "44200", "31", "배방읍 온천동 탕정면 용화동", "배방로 온천대로 탕정면로 번영로"
            ),
        ),
    ),
    Province(
        _JB,
        "17",
        34,
        (
            _d(
                _JB,
                "전주시 완산구",
                "52111",
                "55",
                "효자동 서신동 중화산동 삼천동",
                "홍산로 팔달로 기린대로 효자로",
            ),
        ),
    ),
    Province(
        _JN,
        "18",
        35,
        (
            _d(
                _JN, "순천시", "46150", "57", "연향동 조례동 왕지동 해룡면", "연향번영길 중앙로 팔마로 남산로"
            ),
            _d(_JN, "여수시", "46130", "59", "학동 여서동 문수동 소라면", "시청로 좌수영로 여서로 문수로"),
        ),
    ),
    Province(
        _GB,
        "19",
        51,
        (
            _d(
                _GB,
                "포항시 남구",
                "47111",
                "37",
                "대잠동 이동 지곡동 오천읍",
                "포스코대로 희망대로 지곡로 대이로",
            ),
            _d(
                _GB,
                "구미시",
                "47190",
                "39",
                "송정동 원평동 인동동 옥계동",
                "송정대로 구미중앙로 인동가산로 옥계북로",
            ),
        ),
    ),
    Province(
        _GN,
        "20",
        64,
        (
            _d(
                _GN,
                "창원시 성산구",
                "48123",
                "51",
                "상남동 중앙동 사파동 반송동",
                "중앙대로 원이대로 창이대로 용지로",
            ),
            _d(_GN, "김해시", "48250", "50", "내동 삼계동 장유동 외동", "김해대로 가야로 금관대로 장유로"),
        ),
    ),
    Province(
        _JJ,
        "21",
        13,
        (_d(_JJ, "제주시", "50110", "63", "연동 노형동 이도동 아라동", "연북로 노연로 중앙로 첨단로"),),
    ),
)

_PROVINCE_WEIGHTS = tuple(p.weight for p in PROVINCES)
_BY_SIDO = {p.sido: p for p in PROVINCES}


def pick_district(rng: random.Random) -> District:
    province = rng.choices(PROVINCES, weights=_PROVINCE_WEIGHTS, k=1)[0]
    return rng.choice(province.districts)


def province_of(district: District) -> Province:
    return _BY_SIDO[district.sido]


def tax_office_of(district: District) -> str:
    """The national tax office (세무서) for a district: named after the district as most are;
    one-syllable districts (서구, 남구) take the city name and a direction, as 광주서부세무서 does."""
    stem = district.sigungu.split()[-1].removesuffix("특별자치시").removesuffix("구").removesuffix("시")
    if len(stem) == 1:
        return f"{district.sido[:2]}{stem}부세무서"
    return f"{stem}세무서"
