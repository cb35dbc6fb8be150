"""Bearer secrets out of the logs: path segments and query values that open something.

Some URLs are secrets by protocol: OpenID4VCI's ``credential_offer_uri``
(``/oid4vci/offers/{reference}`` serves the pre-authorized code) and OpenID4VP's
``request_uri`` and ``response_uri`` (``/openid4vp/requests/{id}``, ``/openid4vp/responses/{id}``:
the request object carries the ``state`` that answers the request). The wallet must GET them,
so they cannot move to a header; a one-time link's id (``/v1/shared/{id}``) is half of what
opens it. Every logger that writes request paths (uvicorn's access and error logs, outbound
``httpx`` requests, our own error log) gets ``RedactSecrets``, which rewrites those segments
and any ``code``-like or ``state``/``nonce`` query value to ``…redacted…`` before a handler
formats the record.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "…redacted…"
#: (the prefix is kept) paths whose next segment is a bearer secret
SECRET_PATH = re.compile(r"(/(?:v1/shared|oid4vci/offers|openid4vp/requests|openid4vp/responses)/)[^/?#\s\"']+")
#: query parameters whose value is a secret or a link to one (also percent-encoded inside another URL)
SECRET_QUERY = re.compile(
    r"((?:[?&;]|%3[Ff]|%26)(?:[\w.-]*code|request_uri|credential_offer(?:_uri)?|state|nonce)(?:=|%3[Dd]))[^&#\s\"']*"
)
#: the loggers that write request paths or URLs
LOGGERS = ("uvicorn.access", "uvicorn.error", "httpx", "ecert.errors")


def redact(text: str) -> str:
    """``text`` with every secret path segment and secret query value replaced."""
    if "/" not in text and "=" not in text and "%" not in text:
        return text  # no path and no query: the common case, answered without a regex
    return SECRET_QUERY.sub(r"\1" + REDACTED, SECRET_PATH.sub(r"\1" + REDACTED, text))


def _redacted_arg(arg: Any) -> Any:
    if isinstance(arg, (int, float, bool)) or arg is None:
        return arg
    # a str, or a URL object (httpx.URL, starlette URL): compared as text
    text = arg if isinstance(arg, str) else str(arg)
    cleaned = redact(text)
    return arg if cleaned == text else cleaned


class RedactSecrets(logging.Filter):
    """Rewrites the record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted_arg(value) for key, value in record.args.items()}
        return True


def install_log_redaction(names: tuple[str, ...] = LOGGERS) -> None:
    """Add ``RedactSecrets`` to each logger once (create_app runs many times in tests)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
