"""Service administrators' answers that are not a stored row's public view."""

from __future__ import annotations

from pydantic import Field

from wallet_api.api_models.base import Answer


class RotatedPartyKey(Answer):
    client_id: str
    api_key: str = Field(description="shown once")


class RotatedOperatorKey(Answer):
    operator_id: str
    api_key: str = Field(description="shown once")
