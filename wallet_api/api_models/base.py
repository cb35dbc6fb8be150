"""The base of every answer model, the shared scalar types, and the decorator arguments that
declare an answer's model and its error statuses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, WithJsonSchema

#: an instant as the domain hands it over: a ``datetime`` (serialized by pydantic, as before)
#: or an ISO 8601 string already formatted (kept as it is)
Instant = Annotated[datetime | str, WithJsonSchema({"type": "string", "format": "date-time"})]
#: ``{"ko": …, "en": …}``
Localized = dict[str, str]


class Answer(BaseModel):
    """A response body. ``extra="forbid"``: a key the model does not name is an error (a 500
    the API tests catch) rather than a key silently dropped from the wire."""

    model_config = ConfigDict(extra="forbid")


def typed(model: Any, *errors: int, success: dict[int, Any] | None = None) -> dict[str, Any]:
    """Decorator arguments of a JSON route: its answer model and the error statuses it can give.

    Error bodies are filled in by ``wallet_api.http.openapi_document`` (problem+json, or the OAuth
    error body on OAuth routes); 401/403 of protected routes, 422, 429 and 500 are added there
    for every route that can give them, so ``errors`` lists what is particular to the route.
    ``success``: another 2xx status and its model (e.g. 200 beside a 201)."""
    responses: dict[int | str, dict[str, Any]] = {code: {} for code in errors}
    for code, other in (success or {}).items():
        responses[code] = {"model": other}
    return {"response_model": model, "response_model_exclude_unset": True, "responses": responses}


def errors(*codes: int) -> dict[str, Any]:
    """Decorator arguments of a route that already returns a model: its particular error statuses."""
    return {"responses": {code: {} for code in codes}}


def binary(media_type: str, *codes: int, description: str) -> dict[str, Any]:
    """Decorator arguments of a route answering bytes (an image, a PDF, a signed JWT)."""
    schema = {"type": "string", "format": "binary"} if not media_type.endswith("jwt") else {"type": "string"}
    ok = {"description": description, "content": {media_type: {"schema": schema}}}
    return {"responses": {200: ok, **{code: {} for code in codes}}}
