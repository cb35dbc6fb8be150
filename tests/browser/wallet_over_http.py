"""The test wallet against the real server: ``MobileApp`` over httpx, and the setup a desk
needs (relying parties and operators through the ``ecert`` CLI, as an operator would)."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Any

import httpx
from sqlalchemy import create_engine
from sqlmodel import Session

from issuers.adapters import build_adapters
from issuers.adapters.base import Subject
from issuers.synthetic_registry import SyntheticPopulation
from keys.b64 import b64url_decode, b64url_encode
from keys.jws import Signer
from schemas.registry import load_registry
from tests.wallet_app import DEVICE_REGISTRATION_TYP, SIGN_IN_TYP, MobileApp
from wallet_api.wallet.models import StoredCredential


class HttpMobileApp(MobileApp):
    """The app on a phone: signs with its own keys and talks to the server over HTTP."""

    def sign_in_proof(self, device_id: str, challenge: dict[str, Any]) -> str:
        payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": int(time.time())}
        return self.keys[device_id].sign_compact({"typ": SIGN_IN_TYP, "kid": device_id}, payload)

    def registration_proof(self, signer: Signer, challenge: dict[str, Any]) -> str:
        payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": int(time.time())}
        return signer.sign_compact({"typ": DEVICE_REGISTRATION_TYP}, payload, include_kid=False)

    def prepare(self, uri: str, credential_ids: list[str], device_id: str) -> tuple[str, dict[str, Any]]:
        resolved = self.client.post("/v1/wallet/presentations/resolve", json={"uri": uri}, headers=self.auth)
        assert resolved.status_code == 200, resolved.text
        consent_id = resolved.json()["consent_id"]
        prepared = self.client.post(
            f"/v1/wallet/presentations/{consent_id}/prepare",
            json={"credential_ids": credential_ids, "device_id": device_id},
            headers=self.auth,
        )
        assert prepared.status_code == 200, prepared.text
        return consent_id, prepared.json()

    def submit(self, consent_id: str, prepared: dict[str, Any], device_id: str) -> dict[str, Any]:
        submitted = self.client.post(
            f"/v1/wallet/presentations/{consent_id}/submit",
            json={"kb_jwt_signatures": self.sign_items(prepared, device_id)},
            headers=self.auth,
        )
        assert submitted.status_code == 200, submitted.text
        return submitted.json()

    def finish_qr(self, started: dict[str, Any], device_id: str) -> dict[str, Any]:
        """Sign a QR presentation on the device; the server draws it."""
        signature = self.keys[device_id].sign(b64url_decode(started["signing_input"]))
        body = {k: started[k] for k in ("family", "protected", "payload")} | {"signature": b64url_encode(signature)}
        finished = self.client.post("/v1/wallet/qr/finish", json=body, headers=self.auth)
        assert finished.status_code == 200, finished.text
        return finished.json()

    def declare(self, declaration: dict[str, Any], device_id: str) -> dict[str, Any]:
        submitted = self.client.post("/v1/customs/declarations", json=declaration, headers=self.auth)
        assert submitted.status_code == 201, submitted.text
        return self.finish_qr(submitted.json()["presentation"], device_id)

    def mobile_id_qr(self, credential_id: str, profile: str, device_id: str) -> dict[str, Any]:
        started = self.client.post(f"/v1/wallet/credentials/{credential_id}/qr", json={"profile": profile}, headers=self.auth)
        assert started.status_code == 200, started.text
        return self.finish_qr(started.json(), device_id)


def person_with(settings_env: dict[str, str], type_ids: tuple[str, ...]) -> Any:
    """A synthetic person of the server's population with a record for every one of ``type_ids``."""
    registry = load_registry(None)
    population = SyntheticPopulation(seed=20200101, size=int(settings_env["ECERT_POPULATION_SIZE"]))
    adapters = build_adapters(population)
    for person in population.people():
        if all(adapters[registry.get(t).adapter].has_record(registry.get(t), Subject(rrn=person.rrn)) for t in type_ids):
            return person
    raise AssertionError(f"nobody in the population has all of {type_ids}")


def signed_in_app(base_url: str, person: Any) -> tuple[HttpMobileApp, str]:
    app = HttpMobileApp(httpx.Client(base_url=base_url, timeout=30), person)
    app.enrol()
    phone = app.register_device("Galaxy")
    app.sign_in(phone)
    return app, phone


def ecert(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run the ``ecert`` command line against the test server's database; its JSON output."""
    done = subprocess.run(
        [sys.executable, "-c", "from wallet_api.cli.main import app; app()", *args, "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def issuer_record_id(database_url: str, credential_id: str) -> str:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            row = session.get(StoredCredential, credential_id)
            assert row is not None and row.issuer_record_id
            return row.issuer_record_id
    finally:
        engine.dispose()


def png_file(png_base64: str, path: Any) -> Any:
    path.write_bytes(base64.b64decode(png_base64))
    return path


def decode_qr_png(png: bytes) -> str:
    """Read a QR from a screenshot, as the customer's phone camera would."""
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found, "no QR code on the screen"
    return found[0].text


def declaration(person: Any) -> dict[str, Any]:
    """A declaration with goods over the USD 800 allowance: duty is due."""
    return {
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        "passport_number": "M12345678",
        "nationality": "KR",
        "flight_number": "KE902",
        # arriving today in Korea (the customs rules use the Korean calendar day)
        "arrival_date": datetime.now(ZoneInfo("Asia/Seoul")).date().isoformat(),
        "countries_visited": ["FR", "IT"],
        "items": {
            "alcohol_bottles": 1,
            "alcohol_litres": "0.75",
            "alcohol_value_usd": "90",
            "perfume_ml": 50,
            "other_goods": [
                {"name": "Handbag", "quantity": 1, "value": "1500", "currency": "EUR"},
                {"name": "Watch", "quantity": 1, "value": "300", "currency": "USD"},
            ],
        },
    }
