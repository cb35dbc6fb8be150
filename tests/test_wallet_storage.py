"""Stored certificates: sealed at rest, imported only when genuine, states read live."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from issuers.credential_status import change_status
from issuers.models import IssuedCredential
from tests.issuing_helpers import device_signer, issue_for
from tests.wallet_app import ABSTRACT, MobileApp, person_with_types
from wallet_api.app import create_app
from wallet_api.clock import FixedClock
from wallet_api.db.engines import make_engine, run_migrations
from wallet_api.wallet.models import StoredCredential
from wallet_api.wallet.sealing import open_json

WALLET_TABLE_PREFIX = "wallet_"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _claim_strings(value: Any) -> set[str]:
    """Every claim value worth searching for: strings that are not dates, short codes or flags."""
    if isinstance(value, dict):
        return set().union(*(_claim_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_claim_strings(v) for v in value)) if value else set()
    if isinstance(value, str) and len(value) >= 6 and not _DATE.match(value):
        return {value}
    return set()


def _raw_database(engine: Any, sqlite_file: Path | None) -> bytes:
    if sqlite_file is not None:
        # the WAL holds recent pages that are not yet in the main file
        return b"".join(p.read_bytes() for p in (sqlite_file, Path(f"{sqlite_file}-wal")) if p.exists())
    dump = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if not table.startswith(WALLET_TABLE_PREFIX):
                continue
            columns = [c["name"] for c in inspect(engine).get_columns(table)]
            select = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            for row in conn.execute(text(f'SELECT {select} FROM "{table}"')):
                dump.extend(str(v) for v in row)
    return "\n".join(dump).encode()


def test_database_copy_reveals_no_certificate(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sqlite_file = None
    if settings.resolved_database_url.startswith("sqlite"):
        # a database of its own: the shared test database holds other tests' relying-party results
        sqlite_file = tmp_path / "raw.db"
        settings = settings.model_copy(update={"database_url": f"sqlite:///{sqlite_file}"})
    engine = make_engine(settings.resolved_database_url)
    if sqlite_file is not None:
        # as conftest does: the migrations, then the tables no migration has yet
        run_migrations(engine)
        SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings), base_url="https://ecert.test") as client:
        person, types = person_with_types(client)
        app = MobileApp(client, person)
        app.enrol()
        phone = app.register_device()
        app.sign_in(phone)
        for type_id in types:
            app.obtain(type_id, phone)
        stored = client.get("/v1/wallet/credentials", headers=app.auth).json()
        ids = [c["id"] for c in stored]
        for credential_id in ids:
            assert client.get(f"/v1/wallet/credentials/{credential_id}", headers=app.auth).status_code == 200
        prepared = client.post("/v1/wallet/share-links", json={"credential_id": ids[0], "claims": ["name"]}, headers=app.auth).json()
        client.post(f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
                    json={"kb_jwt_signature": app.sign_items(prepared, phone)[ids[0]]}, headers=app.auth)

        state = client.app.state.ecert  # type: ignore[attr-defined]
        secrets: set[str] = {person.name, person.rrn, person.rrn.replace("-", "")}
        with Session(state.engine) as session:
            for credential_id in ids:
                row = session.get(StoredCredential, credential_id)
                assert row is not None
                secrets |= _claim_strings(open_json(state.sealer, row.sealed_claims, table="wallet_stored_credential", row_id=row.id, field="claims"))
        assert any(len(s) > 10 for s in secrets)  # addresses are in there
        raw = _raw_database(state.engine, sqlite_file)
        assert ABSTRACT.encode() in raw  # we did read the wallet's rows (type ids are kept in clear)
        found = [s for s in secrets if s.encode() in raw or json.dumps(s).encode() in raw]
        assert found == []
    engine.dispose()


def test_import_verifies_before_storing(client: TestClient) -> None:
    person = person_with_types(client, 1)[0]
    app = MobileApp(client, person)
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    state = client.app.state.ecert  # type: ignore[attr-defined]

    # a credential the app fetched over OpenID4VCI with its device key (same pipeline)
    with Session(state.engine) as session:
        issued = issue_for(state, session, ABSTRACT, app.keys[phone], person=person)
        other_key = issue_for(state, session, ABSTRACT, device_signer(), person=person)
    r = client.post("/v1/wallet/credentials/import", json={"credential": issued.credential}, headers=app.auth)
    assert r.status_code == 201, r.text
    assert r.json()["origin"] == "imported" and r.json()["device_id"] == phone and r.json()["state"] == "valid"

    r = client.post("/v1/wallet/credentials/import", json={"credential": other_key.credential}, headers=app.auth)
    assert r.status_code == 400 and r.json()["code"] == "holder_binding_failed"

    issuer_jwt, first, *rest = issued.credential.split("~")
    tampered_disclosure = "~".join([issuer_jwt, first[:-2] + ("AA" if not first.endswith("AA") else "BB"), *rest])
    r = client.post("/v1/wallet/credentials/import", json={"credential": tampered_disclosure}, headers=app.auth)
    assert r.status_code in (400, 422) and r.json()["code"] in ("disclosure_invalid", "malformed")
    header, payload, signature = issuer_jwt.split(".")
    forged = "~".join([f"{header}.{payload[:-4]}AAAA.{signature}", first, *rest])
    r = client.post("/v1/wallet/credentials/import", json={"credential": forged}, headers=app.auth)
    assert r.status_code == 400 and r.json()["code"] in ("signature_invalid", "malformed")
    assert len(client.get("/v1/wallet/credentials", headers=app.auth).json()) == 1


def test_states_follow_the_status_list_and_the_calendar(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    abstract = app.obtain(ABSTRACT, phone)
    second = app.obtain(ABSTRACT, phone)
    state = client.app.state.ecert  # type: ignore[attr-defined]

    def states() -> dict[str, str]:
        return {c["id"]: c["state"] for c in client.get("/v1/wallet/credentials", headers=app.auth).json()}

    with Session(state.engine) as session:
        row = session.get(StoredCredential, abstract["id"])
        record = session.get(IssuedCredential, row.issuer_record_id)  # type: ignore[union-attr]
        change_status(session, record_id=record.id, agency_id=record.agency_id, action="suspend", now=clock.now())  # type: ignore[union-attr]
    assert states() == {abstract["id"]: "suspended", second["id"]: "valid"}
    suspended = client.get("/v1/wallet/credentials", params={"state": "suspended"}, headers=app.auth).json()
    assert [c["id"] for c in suspended] == [abstract["id"]] and suspended[0]["presentable"] is False
    assert client.get("/v1/wallet/credentials", params={"state": "bogus"}, headers=app.auth).status_code == 422

    validity = state.registry.get(ABSTRACT).validity_days
    settings = state.settings
    clock.advance((validity - settings.expiring_soon_days + 1) * 86400)
    app.sign_in(phone)
    assert states()[second["id"]] == "expiring_soon"
    clock.advance(settings.expiring_soon_days * 86400)
    app.sign_in(phone)
    assert states()[second["id"]] == "expired"
    # kept (as expired) through the retention period, then purged
    clock.advance((settings.expired_credential_retention_days - 1) * 86400)
    app.sign_in(phone)
    assert second["id"] in states()
    clock.advance(2 * 86400)
    app.sign_in(phone)
    assert states() == {}


def test_delete_removes_the_credential(client: TestClient) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    credential = app.obtain(ABSTRACT, phone)["id"]
    assert client.delete(f"/v1/wallet/credentials/{credential}", headers=app.auth).status_code == 204
    assert client.get(f"/v1/wallet/credentials/{credential}", headers=app.auth).status_code == 404
    assert client.delete(f"/v1/wallet/credentials/{credential}", headers=app.auth).status_code == 404
