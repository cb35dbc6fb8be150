"""Issue 16: the main flows at DEBUG write no claim value, resident registration number,
token or code into any log line (the request log and every library logger included)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.oid4vci_wallet import ABSTRACT, Wallet, _offer_over_admin_api
from tests.wallet_app import MobileApp, bank_request, person_with_types, register_bank


def test_main_flows_at_debug_leave_no_personal_data_in_the_logs(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_client
    secrets: list[str] = []
    with caplog.at_level(logging.DEBUG):
        # a citizen enrols, signs in and gets certificates; a bank asks and gets the abstract
        person, types = person_with_types(client)
        secrets += [person.name, person.rrn, person.rrn.replace("-", "")]
        app = MobileApp(client, person)
        enrolled = app.enrol()
        secrets.append(enrolled["enrolment_token"])
        phone = app.register_device("phone")
        secrets.append(app.sign_in(phone))
        obtained = {t: app.obtain(t, phone) for t in types}
        api_key, _ = register_bank(client)
        secrets.append(api_key)
        request = bank_request(client, api_key, ["name", "current_address"])
        app.present(request["uri"], [obtained[ABSTRACT]["id"]], phone)
        # an outside wallet over OpenID4VCI with a transaction code
        offer = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
        secrets += [offer["tx_code"], offer["pre_authorized_code"]] if "pre_authorized_code" in offer else [offer["tx_code"]]
        credential = Wallet(client).fetch(offer["offer_uri"], ABSTRACT, tx_code=offer["tx_code"])
        secrets.append(credential.split("~", 1)[0])
    text = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    leaked = [s for s in secrets if s and s in text]
    assert leaked == [], f"in the logs: {[s[:12] + '…' for s in leaked]}"
