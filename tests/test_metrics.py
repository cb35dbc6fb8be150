"""GET /metrics: Prometheus text, request and verification counters, protected by a token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from prometheus_client.parser import text_string_to_metric_families

from wallet_api.app import create_app


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_and_verifications_are_counted_by_route_template(client: TestClient, bank) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    before = client.get("/metrics").text
    client.get("/v1/types")
    client.get("/v1/documents/0000-0000-0000-0000")  # an id in the path: counted under its template
    answer = client.post("/v1/verify", json={"presentation": "garbage~", "nonce": "n", "audience": "x"}, headers=headers)
    assert answer.status_code in (200, 403)
    after = client.get("/metrics")
    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text
    assert _value(text, "ecert_http_requests_total", route="/v1/types", status="200") == \
        _value(before, "ecert_http_requests_total", route="/v1/types", status="200") + 1
    assert _value(text, "ecert_http_requests_total", route="/v1/documents/{document_number}", status="404") >= 1
    assert "0000-0000-0000-0000" not in text  # never a raw path
    assert _value(text, "ecert_http_request_duration_seconds_count", route="/v1/types") >= 1
    assert 'ecert_db_pool_checked_out' in text


def test_a_verification_outcome_is_counted(client: TestClient, bank, holder, credential: Any, state: Any) -> None:  # type: ignore[no-untyped-def]
    from tests.verifier_parties import direct

    client_id, headers = bank
    before = _value(client.get("/metrics").text, "ecert_verifications_total", kind="sd_jwt", outcome="valid")
    presentation = direct(holder, credential.credential, ["name"], nonce="m-1", aud=client_id, iat=state.clock.epoch())
    body = {"presentation": presentation, "nonce": "m-1", "audience": client_id}
    assert client.post("/v1/verify", json=body, headers=headers).json()["valid"] is True
    assert client.post("/v1/verify", json=body, headers=headers).json()["code"] == "replayed"
    text = client.get("/metrics").text
    assert _value(text, "ecert_verifications_total", kind="sd_jwt", outcome="valid") == before + 1
    assert _value(text, "ecert_verifications_total", kind="sd_jwt", outcome="replayed") >= 1


def test_a_token_protects_the_metrics(settings: Any) -> None:
    with TestClient(create_app(settings.model_copy(update={"metrics_token": SecretStr("s3cret-scraper")})), base_url="https://ecert.test") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"}).status_code == 200


def test_production_without_a_token_has_no_metrics(settings: Any) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production), base_url="https://ecert.test") as client:
        r = client.get("/metrics")
        assert r.status_code == 404 and not re.search(r"ecert_http_requests_total", r.text)


def test_two_workers_are_summed_by_any_scrape(tmp_path: Any) -> None:
    """`ecert serve --workers 2` shares one PROMETHEUS_MULTIPROC_DIR: whichever worker answers
    the scrape counts the requests both served."""
    import os

    import httpx

    from tests.ecert_serve import ecert_serve

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECERT_", "PROMETHEUS_"))}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    with ecert_serve(tmp_path, env, "--workers", "2") as base:
        for _ in range(30):
            with httpx.Client() as fresh:  # a new connection each time: both workers take some
                assert fresh.get(f"{base}/v1/types").status_code == 200
        for _ in range(4):
            text = httpx.get(f"{base}/metrics").text
            assert _value(text, "ecert_http_requests_total", route="/v1/types", status="200") == 30
        assert (tmp_path / "data" / "metrics").is_dir()
