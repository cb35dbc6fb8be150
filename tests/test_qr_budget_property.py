"""Property: no accepted customs declaration draws above version 15-M (issue 14).

200 seeded random declarations go through the issuing path (form → claims → the exact
size check → a real issuer signature → a real device presentation) and each accepted one is
rendered to PNG and read back with zxing-cpp at version 15 or better. Half are drawn inside
the limits the spec guarantees (docs/qr-format.md §15): every one of those must be accepted.
The other half use the whole form (up to 8 goods of 30 characters in any script): those may
be refused, but only with ``declaration_too_large`` and before anything is signed.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import zxingcpp
from PIL import Image

from issuers.customs.errors import DeclarationTooLarge
from issuers.customs.form import MAX_OTHER_GOODS, DeclarationForm, qr_claims
from issuers.customs.qr_issuer import FAMILY, MAX_QR_CHARS, MAX_QR_VERSION, sign_issuer_part
from issuers.customs.rules import DEFAULT_RULES_FILE, cached_rule_book
from qr_symbols.images import qr_version, render_png
from schemas.qr_payload import build_presentation, finish_presentation
from schemas.qr_payload import wire_keys as k
from tests.counting_signer import CountingSigner
from tests.qr_payloads import NOW, fixed_signer

#: the guaranteed envelope of docs/qr-format.md §15 (any content within it fits version 15-M)
GUARANTEED = {"name_chars": 30, "countries": 5, "goods": 3, "goods_name_chars_latin": 12, "goods_name_chars_hangul": 4,
              "quantity": 99, "value": 9_999, "bottles": 99, "centilitres": 9_999, "alcohol_value_usd": 99_999,
              "cigarettes": 999, "cigars": 99, "other_tobacco_g": 999, "perfume_ml": 999}
#: the form's own limits (issuers/customs/form.py)
FORM = {"quantity": 9999, "value": 10**9, "bottles": 999, "centilitres": 99_900, "alcohol_value_usd": 10**8,
        "cigarettes": 100_000, "cigars": 10_000, "other_tobacco_g": 100_000, "perfume_ml": 100_000}
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.-'&()"
#: a traveller's name as the passport spells it (the MRZ alphabet, '<' read as a space)
PASSPORT_NAME = "ABCDEFGHIJKLMNOPQRSTUVWXYZ "
CURRENCIES = ["USD", "EUR", "JPY", "CNY", "GBP", "CHF", "THB", "VND", "XAU", "AED", "NZD"]
COUNTRIES = ["FR", "IT", "CH", "DE", "ES", "US", "JP", "CN", "VN", "TH", "AE", "NZ", "BR", "ZA"]


def _hangul(rng: random.Random, n: int) -> str:
    return "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(n))


def _latin(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(LATIN) for _ in range(n)).strip() or "X"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [max(1, b - a) for a, b in zip([0, *cuts], [*cuts, total])]


def _form(rng: random.Random, *, guaranteed: bool) -> DeclarationForm:
    lines = rng.randint(0, GUARANTEED["goods"] if guaranteed else MAX_OTHER_GOODS)
    hangul = rng.random() < 0.5
    if guaranteed:
        budget = GUARANTEED["goods_name_chars_hangul" if hangul else "goods_name_chars_latin"]
        lengths = _split(rng, rng.randint(lines, max(lines, budget)), lines) if lines else []
    else:
        lengths = [rng.randint(1, 30) for _ in range(lines)]
    make = _hangul if hangul else _latin
    bound = GUARANTEED if guaranteed else FORM
    goods = [{"name": make(rng, n)[:30], "quantity": rng.randint(1, bound["quantity"]),
              "value": Decimal(rng.randint(0, bound["value"])), "currency": rng.choice(CURRENCIES)} for n in lengths]
    arrival = date(2026, 1, 10) + timedelta(days=rng.randint(0, 30))
    name_chars = rng.randint(1, GUARANTEED["name_chars"] if guaranteed else 60)
    if guaranteed:
        name = "".join(rng.choice(PASSPORT_NAME) for _ in range(name_chars)).strip() or "X"
    else:
        name = _latin(rng, name_chars) if rng.random() < 0.7 else _hangul(rng, name_chars)
    return DeclarationForm(
        name=name, birth_date=date(1930, 1, 1) + timedelta(days=rng.randint(0, 30000)),
        passport_number="".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(rng.randint(6, 9))),
        nationality=rng.choice(COUNTRIES), flight_number=f"{rng.choice(['KE', 'OZ', '7C', 'LJ'])}{rng.randint(1, 9999)}",
        arrival_date=arrival, accompanying_family_count=rng.randint(0, 20),
        countries_visited=rng.sample(COUNTRIES, rng.randint(0, GUARANTEED["countries"] if guaranteed else 10)),
        items={"alcohol_bottles": rng.randint(0, bound["bottles"]),
               "alcohol_litres": Decimal(rng.randint(0, bound["centilitres"])) / 100,
               "alcohol_value_usd": Decimal(rng.randint(0, bound["alcohol_value_usd"])),
               "cigarettes": rng.randint(0, bound["cigarettes"]), "cigars": rng.randint(0, bound["cigars"]),
               "other_tobacco_g": rng.randint(0, bound["other_tobacco_g"]), "perfume_ml": rng.randint(0, bound["perfume_ml"]),
               "other_goods": goods},
        currency_over_10000_usd=rng.random() < 0.5, prohibited_goods=rng.random() < 0.5,
        quarantine_goods=rng.random() < 0.5, goods_for_sale=rng.random() < 0.5,
    )


def _decoded_version(text: str) -> int:
    png = render_png(text)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1 and found[0].text == text
    return qr_version(text)


def test_random_declarations_never_draw_above_version_15_m() -> None:
    rng = random.Random(20261203)
    issuer, devices = fixed_signer("ES256", "issuer"), [fixed_signer("ES256", "device"), fixed_signer("EdDSA", "device")]
    book = cached_rule_book(DEFAULT_RULES_FILE)
    accepted = refused = 0
    for draw in range(200):
        guaranteed = draw % 2 == 0
        form, device = _form(rng, guaranteed=guaranteed), devices[draw % 2]
        claims: dict[str, Any] = qr_claims(form, book.in_force(form.arrival_date))
        signer = CountingSigner(issuer)
        try:
            part = sign_issuer_part(signer=signer, claims=claims, holder_jwk=device.public_jwk, exp=NOW + 3 * 86400)
        except DeclarationTooLarge as exc:
            assert not guaranteed, (form, exc.detail)
            assert signer.signed == 0 and exc.extra["over_by_chars"] > 0
            refused += 1
            continue
        unsigned = build_presentation(issuer_part=part, family=FAMILY, device_alg=device.alg, now=NOW, ttl_s=600,
                                      jti=rng.randbytes(k.JTI_BYTES))
        text = finish_presentation(unsigned, device.sign(unsigned.signing_input))
        assert len(text) <= MAX_QR_CHARS and _decoded_version(text) <= MAX_QR_VERSION
        accepted += 1
    # both sides of the line were exercised
    assert accepted >= 100 and refused >= 1, (accepted, refused)
