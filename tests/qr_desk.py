"""The QR desk flows the desk tests share: a signed-in traveller or licence holder, a declaration, a scan."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from typing import Any

import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from keys.b64 import b64url_decode, b64url_encode
from tests.issuing_helpers import person_with_record
from tests.wallet_app import MobileApp
from verifiers.relying_parties import register_relying_party
from wallet_api.clock import FixedClock



KST = timedelta(hours=9)

LICENCE = "mobile_driver_licence"

def _party(client: TestClient, name: str, allowed: dict[str, list[str]], profile: str = "bank") -> str:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        return register_relying_party(
            session, name=name, allowed=allowed, purpose="desk", registry=state.registry, sealer=state.sealer,
            now=state.clock.now(), profile=profile,
        ).api_key

def _signed_in(client: TestClient, type_id: str | None = None, *, skip: int = 0) -> tuple[MobileApp, str]:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    app = MobileApp(client, person_with_record(state, type_id or LICENCE, skip=skip))
    app.enrol()
    phone = app.register_device("phone")
    app.sign_in(phone)
    return app, phone

def _finish(app: MobileApp, device_id: str, presentation: dict[str, Any]) -> dict[str, Any]:
    signature = app.keys[device_id].sign(b64url_decode(presentation["signing_input"]))
    body = {k: presentation[k] for k in ("family", "protected", "payload")} | {"signature": b64url_encode(signature)}
    r = app.client.post("/v1/wallet/qr/finish", json=body, headers=app.auth)
    assert r.status_code == 200, r.text
    return r.json()

def _scanned(finished: dict[str, Any]) -> str:
    """What a desk scanner reads off the PNG the app shows."""
    image = Image.open(io.BytesIO(base64.b64decode(finished["png_base64"])))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    assert found[0].text == finished["text"]
    assert finished["qr_version"] <= 15
    return found[0].text

def _verify(client: TestClient, api_key: str, text: str, profile: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text} | ({"profile": profile} if profile else {})
    r = client.post("/v1/qr/verify", json=body, headers={"Authorization": f"Bearer {api_key}"})
    assert r.status_code == 200, r.text
    # the one checks[] shape, the same as an SD-JWT verification's
    assert all(set(check) == {"id", "passed", "code", "skipped"} for check in r.json()["checks"]), r.json()["checks"]
    return r.json()

def _declaration(clock: FixedClock, **changes: Any) -> dict[str, Any]:
    arrival = (clock.now() + KST).date() + timedelta(days=1)
    form: dict[str, Any] = {
        "name": "HONG GILDONG", "birth_date": "1990-01-01", "passport_number": "M12345678", "nationality": "KR",
        "flight_number": "KE902", "arrival_date": arrival.isoformat(), "accompanying_family_count": 1,
        "countries_visited": ["FR", "IT"],
        "items": {
            "alcohol_bottles": 1, "alcohol_litres": "0.75", "alcohol_value_usd": "120",
            "perfume_ml": 50,
            "other_goods": [
                {"name": "화장품 세트", "quantity": 2, "value": "180", "currency": "EUR"},
                {"name": "가방", "quantity": 1, "value": "1200", "currency": "EUR"},
                {"name": "손목시계", "quantity": 1, "value": "850", "currency": "CHF"},
                {"name": "전자제품", "quantity": 1, "value": "650", "currency": "USD"},
                {"name": "의류", "quantity": 3, "value": "24000", "currency": "JPY"},
            ],
        },
        "quarantine_goods": True,
    }
    form.update(changes)
    return form

def _submit(app: MobileApp, form: dict[str, Any]) -> dict[str, Any]:
    r = app.client.post("/v1/customs/declarations", json=form, headers=app.auth)
    assert r.status_code == 201, r.text
    return r.json()

def _licence(client: TestClient) -> tuple[MobileApp, str, str]:
    app, phone = _signed_in(client)
    credential = app.obtain(LICENCE, phone)
    return app, phone, credential["id"]

def _mobile_qr(app: MobileApp, phone: str, credential_id: str, profile: str) -> str:
    r = app.client.post(f"/v1/wallet/credentials/{credential_id}/qr", json={"profile": profile}, headers=app.auth)
    assert r.status_code == 200, r.text
    return _scanned(_finish(app, phone, r.json()))
