"""The DEFLATE preset dictionary of format version 1 (``KD1:``, ``KM1:``).

The dictionary ships as a data file, ``dictionary_v1.bin`` (2527 bytes), pinned by its
SHA-256 in docs/qr-format.md and in tests/test_qr_format_data.py; ``PRESET_DICTIONARY`` is
that file. This module also keeps how the file was made (``build_dictionary``; run
``python -m schemas.qr_payload.zdict OUT`` to write it), so a future version's dictionary
starts from a readable source - but the file, not this code, is the format.

Why a dictionary: the compressed part (the issuer's CWT claims) is 100-350 bytes. DEFLATE
alone has nothing earlier in so short a stream to refer back to, so it saves almost nothing.
With a preset dictionary (RFC 1950 FDICT, as SPDY did for HTTP headers) the bytes every
payload repeats - CWT framing, the short claim keys, date tags, common currency, country,
goods and Korean address words - become back-references of 2-3 bytes.

The dictionary is part of the wire format: changing a single byte makes every existing QR
unreadable, so a change is a new format version (new prefix digit), never an edit. No
secrets are in it (a dictionary only shortens what is also public in the QR), and deflate
prefers near matches, so the most frequent pieces come last.
"""

from __future__ import annotations

import sys
from pathlib import Path

DICTIONARY_FILE = Path(__file__).with_name("dictionary_v1.bin")

_WORDS = [
    # currencies, ISO 4217 (CBOR text of 3: 0x63 + code), the usual ones first to last
    "cTHBcVNDcPHPcSGDcTWDcHKDcAUDcCADcGBPcCHFcCNYcJPYcKRWcUSDcEUR",
    # countries, ISO 3166 alpha-2 (0x62 + code)
    "bVNbTHbPHbSGbTWbHKbAUbCAbESbDEbITbFRbGBbCHbCNbJPbUSbKR",
    "https://",
]
_KOREAN = [
    # licence classes and address words (UTF-8), the common multi-syllable tokens
    "2종 원동기장치자전거", "1종 대형", "1종 특수", "1종 소형", "2종 소형", "2종 보통", "1종 보통",
    "제주특별자치도 ", "세종특별자치시 ", "강원특별자치도 ", "전북특별자치도 ", "충청북도 ", "충청남도 ",
    "전라남도 ", "경상북도 ", "경상남도 ", "울산광역시 ", "대전광역시 ", "광주광역시 ", "인천광역시 ",
    "대구광역시 ", "부산광역시 ", "경기도 ", "서울특별시 ", "빌딩 ", "타워 ", "본관 ", "층 ", "읍 ", "면 ", "리 ",
    "군 ", "시 ", "구 ", "아파트 ", "번길 ", "대로 ", "로 ", "길 ", "동 ", "호",
]
#: goods travellers declare most (positional rows: 0x84, then the name as CBOR text), so a
#: Korean item name costs a 2-3 byte back-reference instead of 6-16 bytes of UTF-8
_GOODS = [
    "초콜릿", "과자", "커피", "홍삼", "영양제", "건강기능식품", "장난감", "골프채", "선글라스", "보석", "귀금속",
    "벨트", "지갑", "카메라", "노트북", "휴대폰", "신발", "운동화", "핸드백", "시계", "주류", "담배", "향수",
    "화장품", "의류", "전자제품", "손목시계", "가방", "화장품 세트",
]
#: words that make up longer goods names, English and Korean, as they follow a space or start
#: a name; no CBOR framing (they sit inside a name), the commonest last
_GOODS_WORDS_EN = [
    "wireless ", "earphones", "headphones", "tablet", "laptop", "camera", "lens", "drone", "console",
    "sunglasses", "glasses", "necklace", "bracelet", "earrings", "ring", "jewellery", "jewelry", "gold", "silver",
    "diamond", "golf clubs", "golf", "tennis", "racket", "toys", "toy", "doll", "souvenir", "magnets", "postcards",
    "coffee beans", "coffee", "tea", "ginseng", "vitamins", "supplements", "honey", "cheese", "sausage", "snacks",
    "cookies", "candy", "chocolates", "chocolate", "wine", "whisky", "cognac", "vodka", "liquor", "beer",
    "cigarettes", "cigars", "perfume", "skin care", "cosmetics", "lipstick", "make-up", "cream", "serum",
    "shampoo", "gift set", "set", "box", "pack", "pair", "bottle", "for ", "with ", "and ", "men's ", "women's ",
    "kids ", "children's ", "baby ", "dress", "shirt", "t-shirt", "jacket", "coat", "sweater", "cashmere",
    "scarf", "gloves", "hat", "cap", "jeans", "trousers", "shoes", "sneakers", "boots", "running ", "sports ",
    "belt", "wallet", "purse", "backpack", "suitcase", "bag", "handbag", "leather ", "watch", "wristwatch",
    "smartwatch", "phone", "smartphone", "charger", "cable", "electronics", "clothes", "clothing", "Swiss ",
    "Italian ", "French ", "Japanese ", "luxury ", "designer ", "small ", "large ", "new ", "used ",
]
_GOODS_WORDS_KO = [
    "무선 ", "이어폰", "헤드폰", "태블릿", "렌즈", "드론", "게임기", "목걸이", "팔찌", "귀걸이", "반지", "금", "은",
    "다이아몬드", "인형", "기념품", "마그넷", "홍차", "녹차", "꿀", "치즈", "소시지", "사탕", "쿠키", "와인",
    "위스키", "코냑", "보드카", "맥주", "양주", "시가", "스킨케어", "립스틱", "크림", "세럼", "샴푸", "선물 세트",
    "세트", "상자", "박스", "켤레", "병", "남성용 ", "여성용 ", "아동용 ", "유아용 ", "원피스", "셔츠", "티셔츠",
    "재킷", "코트", "스웨터", "캐시미어", "스카프", "장갑", "모자", "청바지", "바지", "구두", "부츠", "러닝화",
    "백팩", "캐리어", "여행가방", "가죽 ", "명품 ", "스마트워치", "스마트폰", "충전기", "케이블", "옷",
    "스위스 ", "이탈리아 ", "프랑스 ", "일본 ", "자동 ", "선물 ", "새 ", "중고 ",
]


def _goods_rows(names: list[str]) -> bytes:
    out = bytearray()
    for name in names:
        raw = name.encode("utf-8")
        # CBOR text header: 0x60+len below 24, else 0x78 len (no goods name is longer than 255)
        out += b"\x84" + (bytes([0x60 + len(raw)]) if len(raw) < 24 else bytes([0x78, len(raw)])) + raw
    return bytes(out)


_SKELETON_HEX = [
    # customs claims: flags 11..14 false/true, goods {1: name, 2: qty, 3: value, 4: cur}
    "0bf40cf40df40ef4", "0bf50cf50df50ef5", "01f9", "02f9", "03f9", "05f9", "63455552", "63555344", "8462", "8463", "8466", "0685",
    # customs claims map start: declaration 1, name 2, birth date tag 100, passport, nationality
    "ad01", "ae0173", "026c", "03d8641904", "03d8643904", "0469", "05624b5206", "07d864194f", "0809",
    "0aa6010202f9", "03f9", "0418c805f9", "0685",
    # mobile ID claims: adult_check {4: true, 11: hex sha-256}, licence/identity keys
    "a204f50b7840", "a201", "0278", "0e3930", "0583", "07826a31eca28520ebb3b4ed86b5", "08d8641948", "09d86419",
    # issuer part: CWT map, iss, exp/iat, cnf with compact COSE_Key (EC2 compressed / OKP)
    "a5017568747470733a2f2f", "a6017568747470733a2f2f",
    "061a69", "041a69", "08a101a4010220012158", "08a101a3010120062158",
    "22f43a0001000082", "22f53a0001000082", "3a000100008202", "3a000100008203", "3a000100008201",
    # issuer part maps of our agencies (iss "kcs", "knpa", "mois"), status ref [list id(16), idx]
    "a401636b6373041a69", "a501646b6e7061041a69", "a501646d6f6973041a69", "3a0001000182501a", "3a000100018250",
]

def build_dictionary() -> bytes:
    """The bytes of ``dictionary_v1.bin`` from the lists above (a test checks they agree)."""
    return (
        "".join(_GOODS_WORDS_EN).encode("ascii")
        + "".join(_GOODS_WORDS_KO).encode("utf-8")
        + "".join(_WORDS).encode("ascii")
        + _goods_rows(_GOODS)
        + "".join(_KOREAN).encode("utf-8")
        # entry by entry: one odd-length entry would shift every later one by half a byte
        + b"".join(bytes.fromhex(entry) for entry in _SKELETON_HEX)
    )


#: the preset dictionary of format version 1: the shipped file's bytes
PRESET_DICTIONARY: bytes = DICTIONARY_FILE.read_bytes()


if __name__ == "__main__":
    Path(sys.argv[1]).write_bytes(build_dictionary())
