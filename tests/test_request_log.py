"""One log line per request with a request id that follows it; JSON lines when configured."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wallet_api.app import create_app
from wallet_api.http.request_log import JsonLines


def test_the_request_id_is_taken_or_made_and_echoed(client: TestClient) -> None:
    given = client.get("/v1/types", headers={"X-Request-ID": "desk-7.abc_1"})
    assert given.headers["x-request-id"] == "desk-7.abc_1"
    made = client.get("/v1/types", headers={"X-Request-ID": "no spaces or <tags> please"})
    assert made.headers["x-request-id"] != "no spaces or <tags> please" and len(made.headers["x-request-id"]) == 16
    assert client.get("/healthz").headers["x-request-id"]


def test_one_record_per_request_with_route_status_and_outcome(client: TestClient, bank, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    with caplog.at_level(logging.INFO, logger="ecert.request"):
        client.post("/v1/verify", json={"presentation": "garbage~", "nonce": "n", "audience": "nobody"},
                    headers={**headers, "X-Request-ID": "req-1"})
        client.get("/v1/documents/0000-0000-0000-0000", headers={"X-Request-ID": "req-2"})
    records = [r for r in caplog.records if r.name == "ecert.request"]
    verify, document = records[-2], records[-1]
    assert (verify.route, verify.status) == ("/v1/verify", 403) and verify.outcome == "audience_not_own"
    assert (document.route, document.status, document.outcome) == ("/v1/documents/{document_number}", 404, "not_found")
    assert "0000-0000-0000-0000" not in document.getMessage()  # the template, never the raw path


def test_json_lines_carry_the_request_fields(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    record = logging.LogRecord("ecert.request", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/v1/types", 200), None)
    record.route, record.status, record.duration_ms, record.outcome = "/v1/types", 200, 1.5, None
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "INFO" and line["route"] == "/v1/types" and line["status"] == 200
    assert set(line) >= {"time", "request_id", "message", "duration_ms"}


def test_production_logs_json(settings: Any) -> None:
    from wallet_api.http.request_log import log_format

    assert log_format(settings.model_copy(update={"environment": "production"})) == "json"
    assert log_format(settings) == "text"
    assert log_format(settings.model_copy(update={"log_format": "json"})) == "json"
    names = ("", "ecert", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {(name, id(h)): (h, h.formatter) for name in names for h in logging.getLogger(name).handlers}
    try:
        with TestClient(create_app(settings.model_copy(update={"log_format": "json"})), base_url="https://ecert.test") as c:
            assert c.get("/healthz").status_code == 200
        assert all(isinstance(h.formatter, JsonLines) for h in logging.getLogger().handlers)
    finally:  # the rest of the suite keeps its formats
        for handler, formatter in saved.values():
            handler.setFormatter(formatter)
