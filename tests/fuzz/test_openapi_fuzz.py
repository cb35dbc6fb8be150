"""Fuzz every operation of the OpenAPI document over real HTTP: no input may give a 5xx.

Its own test job (``python -m pytest -m fuzz``; the default run deselects it), bounded in
examples per operation (``ECERT_FUZZ_EXAMPLES``, default 25) and in total time
(``ECERT_FUZZ_SECONDS``, default 240). schemathesis generates both schema-conforming and
schema-violating requests; each is sent as the caller the route expects (anonymous, a
relying party, an agency operator, a signed-in holder) so that generated input reaches the
domain code and not only the authentication check. The counts are printed for the record.
"""

from __future__ import annotations

import collections
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("ECERT_FUZZ_EXAMPLES", "25"))
BUDGET_S = float(os.environ.get("ECERT_FUZZ_SECONDS", "240"))


@dataclass
class LiveApp:
    base_url: str
    state: object
    tokens: dict[str, str] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_app(settings) -> Iterator[LiveApp]:  # type: ignore[no-untyped-def]
    import uvicorn
    from sqlmodel import Session

    from issuers.operators import add_operator
    from tests.helpers_identities import signed_in_holder_token
    from verifiers.relying_parties import register_relying_party
    from wallet_api.app import create_app

    port = _free_port()
    settings = settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    state = app.state.ecert
    live = LiveApp(f"http://127.0.0.1:{port}", state)
    with Session(state.engine) as session:
        party = register_relying_party(
            session,
            name="Fuzz Bank",
            allowed={"resident_registration_abstract": ["name", "current_address"]},
            purpose="fuzzing",
            registry=state.registry,
            sealer=state.sealer,
            now=state.clock.now(),
        )
        operator = add_operator(session, name="fuzz operator", agency_id="MOIS", now=state.clock.now())
    live.tokens = {"relying_party": party.api_key, "operator": operator.api_key}
    live.tokens["holder"] = signed_in_holder_token(live.base_url)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _caller(path: str) -> str | None:
    if path.startswith("/v1/admin"):
        return "operator"
    if path.startswith(("/v1/verify", "/v1/presentation-requests", "/v1/qr/verify", "/v1/documents", "/console")):
        return "relying_party"
    if path.startswith(("/v1/wallet", "/v1/holders/me", "/v1/customs")):
        return "holder"
    return None


def test_no_operation_answers_5xx(live_app: LiveApp) -> None:
    schema = schemathesis.openapi.from_url(live_app.base_url + "/openapi.json")
    statuses: collections.Counter[int] = collections.Counter()
    failures: dict[str, str] = {}
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        if time.monotonic() - started > BUDGET_S:
            break
        caller = _caller(operation.path)
        headers = {"Authorization": f"Bearer {live_app.tokens[caller]}"} if caller else {}
        strategy = st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE))
        label = f"{operation.method.upper()} {operation.path}"

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
            database=None,
            derandomize=True,
        )
        @given(strategy)
        def send(case) -> None:  # type: ignore[no-untyped-def]
            try:
                response = case.call(headers=headers, timeout=15)
            except Exception as exc:  # the client refused to build the request (e.g. a bad header)
                statuses[0] += 1
                if "invalid character" not in str(exc) and "header" not in str(exc).lower():
                    failures.setdefault(label, f"transport: {type(exc).__name__}: {exc}")
                return
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.setdefault(label, case.as_curl_command())

        send()
    by_class = {f"{code // 100}xx" if code else "not sent": 0 for code in statuses}
    for code, count in statuses.items():
        by_class[f"{code // 100}xx" if code else "not sent"] += count
    print(f"\nfuzz: {len(operations)} operations, {sum(statuses.values())} requests, by class {dict(sorted(by_class.items()))}")
    assert not failures, "\n".join(f"{label}: {example}" for label, example in failures.items())
