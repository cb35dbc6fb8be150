"""The one exception tree, complete: every module imported so each subclass is known."""

from __future__ import annotations

import importlib
import pkgutil

import issuers
import keys
import schemas
import verifiers
import wallet_api
from schemas.errors import WalletError


def all_error_classes() -> list[type[WalletError]]:
    for package in (schemas, keys, issuers, verifiers, wallet_api):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found: list[type[WalletError]] = []
    pending: list[type[WalletError]] = [WalletError]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found
