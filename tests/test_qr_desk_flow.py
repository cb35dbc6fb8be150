"""Issue 6 through real HTTP: the traveller's declaration and a mobile ID, shown as QR PNGs,
decoded with zxing-cpp as a desk scanner would, and verified at ``POST /v1/qr/verify``.

``MobileApp`` (tests/wallet_app.py) plays the phone: it holds the device keys and
signs what the server hands it; the server never sees a device private key.
"""

from __future__ import annotations

import base64
import io
import os

import base45
from fastapi.testclient import TestClient
from PIL import Image

from schemas.qr_errors import QrMalformed
from tests.qr_payloads import deflate_with_dictionary, qr_around_issuer_payload
from wallet_api.clock import FixedClock
from tests.qr_desk import LICENCE, _declaration, _finish, _licence, _mobile_qr, _party, _scanned, _signed_in, _submit, _verify


CUSTOMS_CLAIMS = ["name", "birth_date", "passport_number", "nationality", "flight_number", "arrival_date",
                  "accompanying_family_count", "countries_visited", "items", "currency_over_10000_usd",
                  "prohibited_goods", "quarantine_goods", "goods_for_sale"]
LICENCE_CLAIMS = ["age_over_19", "portrait_sha256", "name", "licence_classes", "issue_date", "expiry_date",
                  "resident_registration_number", "address"]


def test_customs_declaration_passes_the_gate_once(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone = _signed_in(client)
    officer = _party(client, "인천공항 세관", {"customs_declaration": CUSTOMS_CLAIMS}, profile="customs")
    submitted = _submit(app, _declaration(clock))
    declaration = submitted["declaration"]
    assert declaration["version"] == 1 and declaration["declaration_number"].startswith("KCS-")
    assert [e["category"] for e in declaration["assessment"]["over_allowance"]] == ["basic"]

    text = _scanned(_finish(app, phone, submitted["presentation"]))
    assert text.startswith("KD1:")
    clock.advance(20)
    answer = _verify(client, officer, text)
    assert answer["valid"] is True and answer["code"] is None and answer["profile"] == "customs_gate", answer
    assert answer["claims"]["passport_number"] == "M12345678"
    assert answer["claims"]["items"]["other_goods"][0] == {"name": "화장품 세트", "quantity": 2, "value": 180, "currency": "EUR"}
    customs = answer["customs"]
    assert customs["declaration_number"] == declaration["declaration_number"]
    assert customs["risk_flags"] == ["quarantine_goods", "over_allowance"]
    assert customs["over_allowance"][0]["category"] == "basic"
    assert customs["estimated_duty"]["payable_krw"] > 0
    assert answer["replayed"] is False

    # the same declaration again, even in a fresh presentation from the phone: replayed
    again = client.post(f"/v1/customs/declarations/{declaration['id']}/presentation", headers=app.auth).json()
    replay = _verify(client, officer, _scanned(_finish(app, phone, again["presentation"])))
    assert (replay["valid"], replay["code"], replay["replayed"]) == (False, "replayed", True)
    assert replay["claims"]["name"] == "HONG GILDONG"  # the officer still sees what was declared
    assert replay["first_scanned_at"] == clock.epoch()

    # and it can no longer be amended
    r = client.put(f"/v1/customs/declarations/{declaration['id']}", json=_declaration(clock), headers=app.auth)
    assert r.status_code == 409 and r.json()["code"] == "declaration_cleared"


def test_amended_declaration_refuses_the_old_qr(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone = _signed_in(client)
    officer = _party(client, "김포공항 세관", {"customs_declaration": CUSTOMS_CLAIMS}, profile="customs")
    first = _submit(app, _declaration(clock))
    old_text = _scanned(_finish(app, phone, first["presentation"]))
    amended = client.put(
        f"/v1/customs/declarations/{first['declaration']['id']}",
        json=_declaration(clock, quarantine_goods=False, items={"perfume_ml": 150}), headers=app.auth,
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["declaration"]["version"] == 2
    new_text = _scanned(_finish(app, phone, amended.json()["presentation"]))

    old = _verify(client, officer, old_text)
    assert (old["valid"], old["code"]) == (False, "superseded")
    new = _verify(client, officer, new_text)
    assert new["valid"] is True, new
    assert new["customs"]["version"] == 2
    assert [e["category"] for e in new["customs"]["over_allowance"]] == ["perfume"]
    assert new["customs"]["risk_flags"] == ["over_allowance"]


def test_mobile_id_profiles_show_only_their_claims(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "편의점", {LICENCE: LICENCE_CLAIMS})
    adult = _verify(client, venue, _mobile_qr(app, phone, credential_id, "adult_check"))
    assert adult["valid"] is True and adult["profile"] == "adult_check", adult
    assert set(adult["claims"]) == {"age_over_19", "portrait_sha256"}
    licence = _verify(client, venue, _mobile_qr(app, phone, credential_id, "licence_check"))
    assert set(licence["claims"]) == {"name", "licence_classes", "issue_date", "expiry_date"}
    identity = _verify(client, venue, _mobile_qr(app, phone, credential_id, "identity_check"), profile="identity_check")
    assert identity["valid"] is True and set(identity["claims"]) == {"name", "resident_registration_number", "address"}
    # a QR shown for one profile does not pass a desk asking for another
    wrong = _verify(client, venue, _mobile_qr(app, phone, credential_id, "adult_check"), profile="licence_check")
    assert (wrong["valid"], wrong["code"], wrong["claims"]) == (False, "profile_mismatch", None)


def test_mobile_id_replayed_and_31_second_old(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "주점", {LICENCE: ["age_over_19", "portrait_sha256"]})
    text = _mobile_qr(app, phone, credential_id, "adult_check")
    assert _verify(client, venue, text)["valid"] is True
    replay = _verify(client, venue, text)
    assert (replay["valid"], replay["code"]) == (False, "replayed")

    stale = _mobile_qr(app, phone, credential_id, "adult_check")
    clock.advance(31)
    old = _verify(client, venue, stale)
    assert (old["valid"], old["code"], old["claims"]) == (False, "expired", None)


def test_mobile_id_from_a_lost_device_and_a_suspended_licence(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "호텔", {LICENCE: ["age_over_19", "portrait_sha256"]})
    shown_before = _mobile_qr(app, phone, credential_id, "adult_check")
    # the holder reports the phone lost from a second device
    tablet = app.register_device("tablet")
    app.sign_in(tablet)
    assert client.delete(f"/v1/holders/me/devices/{phone}", headers=app.auth).status_code == 200
    lost = _verify(client, venue, shown_before)
    assert lost["valid"] is False and lost["code"] in ("revoked", "device_revoked"), lost
    # and the device can no longer ask for one
    r = client.post(f"/v1/wallet/credentials/{credential_id}/qr", json={"profile": "adult_check"}, headers=app.auth)
    assert r.status_code == 409 and r.json()["code"] in ("not_presentable", "device_revoked")


def test_hostile_texts_get_their_codes(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "은행", {LICENCE: ["age_over_19", "portrait_sha256"]})
    text = _mobile_qr(app, phone, credential_id, "adult_check")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    middle = len(text) // 2
    tampered = text[:middle] + alphabet[(alphabet.index(text[middle]) + 1) % 45] + text[middle + 1 :]
    assert _verify(client, venue, tampered)["valid"] is False
    # one changed character anywhere in the deflate stream can decode to any malformed shape
    # (the signature and device key are random per run): every answer is a refusal by name
    malformed_codes = {cls.code for cls in _subclasses(QrMalformed)} | {QrMalformed.code}
    assert _verify(client, venue, tampered)["code"] in {"signature_invalid", "holder_binding_failed"} | malformed_codes

    bomb = qr_around_issuer_payload(deflate_with_dictionary(b"\0" * 300_000))
    assert _verify(client, venue, bomb)["code"] == "qr_too_large"
    random_text = "KM1:" + base45.b45encode(os.urandom(300)).decode()
    assert _verify(client, venue, random_text)["code"] in {cls.code for cls in _subclasses(QrMalformed)} | {"malformed"}
    assert _verify(client, venue, "not a QR of ours")["code"] == "qr_prefix_unknown"


def test_verify_image_endpoint(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "렌터카", {LICENCE: ["name", "licence_classes", "issue_date", "expiry_date"]})
    r = client.post(f"/v1/wallet/credentials/{credential_id}/qr", json={"profile": "licence_check"}, headers=app.auth)
    finished = _finish(app, phone, r.json())
    png = base64.b64decode(finished["png_base64"])
    auth = {"Authorization": f"Bearer {venue}"}
    answer = client.post("/v1/qr/verify-image", files={"image": ("snap.png", png, "image/png")}, headers=auth)
    assert answer.status_code == 200 and answer.json()["valid"] is True, answer.text
    # small PNGs that claim 36 and 400 megapixels (past a phone photo's) are refused from their headers
    for side in (6000, 20000):
        buffer = io.BytesIO()
        Image.new("1", (side, side)).save(buffer, "PNG")
        assert len(buffer.getvalue()) < 256 * 1024
        bomb = client.post("/v1/qr/verify-image", files={"image": ("bomb.png", buffer.getvalue(), "image/png")}, headers=auth)
        assert bomb.status_code == 413 and bomb.json()["code"] == "image_too_large"
    junk = client.post("/v1/qr/verify-image", files={"image": ("x.png", b"not an image", "image/png")}, headers=auth)
    assert junk.status_code == 422 and junk.json()["code"] == "image_invalid"
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, "PNG")
    none = client.post("/v1/qr/verify-image", files={"image": ("b.png", blank.getvalue(), "image/png")}, headers=auth)
    assert none.status_code == 422 and none.json()["code"] == "qr_not_found"


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]
