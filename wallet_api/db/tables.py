"""Imports every package's table models so SQLModel.metadata is complete (for Alembic)."""

import importlib

#: each package owns its tables; this list is the only place that knows them all
TABLE_MODULES: tuple[str, ...] = (
    "verifiers.models",
    "keys.models",
    "issuers.status_lists.models",
    "issuers.models",
    "issuers.operators",
    "issuers.oid4vci.models",
    "wallet_api.wallet.models",
    "issuers.customs.models",
    "verifiers.qr.models",
    "wallet_api.console.sessions",
    "issuers.audit_trail",
    "wallet_api.auth.administrators",
    "wallet_api.http.rate_limits",
)


def import_all_tables() -> None:
    for module in TABLE_MODULES:
        importlib.import_module(module)
