"""A serving app (``wallet_api.main``) freezes its start-up heap; apps built by tests don't."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from wallet_api.app import create_app


def test_serving_app_freezes_its_start_up_heap(settings) -> None:  # type: ignore[no-untyped-def]
    gc.unfreeze()
    try:
        with TestClient(create_app(settings, freeze_heap=True)) as client:
            assert gc.get_freeze_count() > 0
            assert client.get("/healthz").status_code == 200
    finally:
        gc.unfreeze()


def test_test_apps_leave_the_collector_alone(settings) -> None:  # type: ignore[no-untyped-def]
    gc.unfreeze()
    with TestClient(create_app(settings)) as client:
        assert gc.get_freeze_count() == 0
        assert client.get("/healthz").status_code == 200
