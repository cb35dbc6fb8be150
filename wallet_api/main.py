"""ASGI entry point: ``uvicorn wallet_api.main:app``. Settings come from ECERT_* variables."""

from wallet_api.app import create_app

app = create_app(freeze_heap=True)
