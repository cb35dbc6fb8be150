"""Korean personal names: surname frequencies and given-name syllables, with romanisation.

Frequencies follow the 2015 census closely enough that 김/이/박 dominate as they do in any
real sample; given names are two syllables drawn from gendered pools.
"""

from __future__ import annotations

import random

# (hangul, romanised, weight per mille of the population)
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("김", "KIM", 215),
    ("이", "LEE", 147),
    ("박", "PARK", 84),
    ("최", "CHOI", 47),
    ("정", "JEONG", 43),
    ("강", "KANG", 23),
    ("조", "CHO", 21),
    ("윤", "YUN", 21),
    ("장", "JANG", 20),
    ("임", "LIM", 17),
    ("한", "HAN", 15),
    ("오", "OH", 15),
    ("서", "SEO", 15),
    ("신", "SHIN", 15),
    ("권", "KWON", 14),
    ("황", "HWANG", 14),
    ("안", "AN", 14),
    ("송", "SONG", 13),
    ("류", "RYU", 12),
    ("전", "JEON", 11),
    ("홍", "HONG", 11),
    ("고", "KO", 9),
    ("문", "MOON", 9),
    ("양", "YANG", 9),
    ("손", "SON", 9),
    ("배", "BAE", 8),
    ("백", "BAEK", 8),
    ("허", "HEO", 6),
    ("유", "YOO", 6),
    ("남", "NAM", 6),
    ("심", "SIM", 5),
    ("노", "NOH", 5),
    ("하", "HA", 5),
    ("곽", "KWAK", 4),
    ("성", "SUNG", 4),
    ("차", "CHA", 4),
    ("주", "JOO", 4),
    ("우", "WOO", 4),
    ("구", "KOO", 4),
    ("민", "MIN", 3),
)

_SHARED = (
    ("민", "MIN"),
    ("지", "JI"),
    ("현", "HYEON"),
    ("수", "SU"),
    ("준", "JUN"),
    ("서", "SEO"),
    ("윤", "YUN"),
    ("진", "JIN"),
    ("영", "YEONG"),
    ("은", "EUN"),
)
_MALE = (
    *_SHARED,
    ("성", "SEONG"),
    ("호", "HO"),
    ("우", "WOO"),
    ("혁", "HYEOK"),
    ("재", "JAE"),
    ("동", "DONG"),
    ("석", "SEOK"),
    ("훈", "HUN"),
    ("철", "CHEOL"),
    ("건", "GEON"),
    ("태", "TAE"),
    ("승", "SEUNG"),
    ("상", "SANG"),
    ("기", "GI"),
    ("도", "DO"),
)
_FEMALE = (
    *_SHARED,
    ("희", "HUI"),
    ("아", "A"),
    ("경", "GYEONG"),
    ("미", "MI"),
    ("정", "JEONG"),
    ("혜", "HYE"),
    ("연", "YEON"),
    ("유", "YU"),
    ("하", "HA"),
    ("숙", "SUK"),
    ("나", "NA"),
    ("주", "JU"),
    ("선", "SEON"),
    ("채", "CHAE"),
    ("소", "SO"),
)

_SURNAME_WEIGHTS = tuple(weight for _, _, weight in SURNAMES)


def pick_surname(rng: random.Random) -> tuple[str, str]:
    hangul, roman, _ = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS, k=1)[0]
    return hangul, roman


def pick_given_name(rng: random.Random, is_male: bool) -> tuple[str, str]:
    pool = _MALE if is_male else _FEMALE
    first, second = rng.sample(pool, 2)
    return first[0] + second[0], first[1] + second[1]
