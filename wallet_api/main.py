"""ASGI entry point: ``uvicorn wallet_api.main:app``. Settings come from ECERT_* variables."""

from wallet_api.app import create_app
from wallet_api.settings import Settings, SettingsError

try:
    settings = Settings.from_environment()
except SettingsError as exc:
    raise SystemExit(f"ecert: {exc}") from None

app = create_app(settings, freeze_heap=True)
