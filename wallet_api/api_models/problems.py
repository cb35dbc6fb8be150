"""The two error bodies: RFC 9457 problem+json, and OAuth's ``{"error", "error_description"}``
on the OAuth/OpenID endpoints (see ``wallet_api.problems``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """``application/problem+json`` (RFC 9457); ``code`` is stable, ``detail`` is for people.
    Some problems add members (``errors`` on ``invalid_input``, ``retry_after_s`` …)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(examples=["https://ecert.example/problems/not_found"])
    title: str
    status: int
    code: str = Field(examples=["not_found"])
    detail: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="invalid_input: what did not match")


class OAuthError(BaseModel):
    """RFC 6749 §5.2 / OpenID4VCI §8.3.1.2 / OpenID4VP error body."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    error: str = Field(examples=["invalid_request"])
    error_description: str | None = None
