"""The one settings object, read from ``ECERT_*`` environment variables.

Nothing reads the environment anywhere else; tests build a ``Settings`` and pass it to
``create_app``.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "password", "ecert"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECERT_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = Field(default=None, description="default: SQLite file in data_dir")
    public_url: str = "http://127.0.0.1:8000"
    #: protects the issuer private keys (PKCS#8). Unset: a random one is generated into data_dir (0600).
    key_passphrase: SecretStr | None = None
    issuer_key_alg: Literal["ES256", "EdDSA"] = "ES256"
    #: AES-256-GCM key (base64url, 32 bytes) for data at rest. Unset: generated into data_dir (0600).
    storage_key: SecretStr | None = None
    types_dir: Path | None = None
    status_list_size: int = 131072
    status_list_ttl_s: int = 300
    max_body_bytes: int = 256 * 1024
    clock_skew_s: int = 60
    offer_ttl_s: int = 600
    nonce_ttl_s: int = 300
    access_token_ttl_s: int = 600
    population_seed: int = 20200101
    population_size: int = 1000
    # --- verifiers
    #: trust list file (TOML/JSON) naming external issuers; our own issuer is always trusted
    trust_list: Path | None = None
    presentation_request_ttl_s: int = 600
    #: how long a verifier may use a fetched status list (at most the list's own ttl)
    status_cache_s: int = 300
    # --- outbound fetches (request objects, response endpoints, status lists, JWKS)
    #: host names and IP networks (CIDR) that may be fetched from although their addresses are
    #: private, loopback or link-local, e.g. ["issuer.internal", "10.20.0.0/16"]; JSON list
    outbound_allow_hosts: list[str] = Field(default_factory=list)
    #: one deadline for a whole outbound fetch: resolving, connecting, TLS, sending, reading
    outbound_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # --- wallet (holders, devices, stored credentials, submissions)
    #: identity providers trusted for enrolment: [{"issuer": ..., "jwks": {"keys": [...]}}]
    identity_providers: list[dict[str, Any]] = Field(default_factory=list)
    #: or the same list in a JSON file
    identity_providers_file: Path | None = None
    identity_assertion_max_age_s: int = 600
    sign_in_challenge_ttl_s: int = 120
    holder_access_token_ttl_s: int = 900
    enrolment_token_ttl_s: int = 600
    #: a valid credential this close to its expiry is listed as expiring_soon
    expiring_soon_days: int = 14
    #: an expired credential stays visible (as expired) this long, then is purged
    expired_credential_retention_days: int = 30
    consent_ttl_s: int = 600
    share_link_ttl_s: int = 86400
    share_link_max_code_attempts: int = 5
    # --- verifier console (relying-party staff in a browser)
    #: a console sign-in lasts at most this long, however busy the counter is
    console_session_ttl_s: int = 8 * 3600
    #: and ends after this long without a request (a counter computer left alone)
    console_idle_timeout_s: int = 15 * 60
    #: Secure cookies; None: when public_url is https (plain http only on a developer's machine)
    console_cookie_secure: bool | None = None
    # --- QR presentations (customs declaration, mobile ID) and the customs rules
    #: a mobile-ID QR is valid this long (and the desk profiles accept no longer)
    qr_mobile_id_ttl_s: int = Field(default=30, ge=5, le=900)
    #: a mobile-ID issuer part (re-signed on request) lives this long at most
    qr_mobile_id_issuer_part_ttl_s: int = Field(default=86400, ge=60)
    #: a customs presentation (made at the desk queue) is valid this long
    qr_customs_ttl_s: int = Field(default=600, ge=30, le=900)
    #: photos posted to /v1/qr/verify-image: bytes and decoded pixels (decompression bombs);
    #: sized for a phone camera's full-resolution photo (12-24 megapixels)
    qr_image_max_bytes: int = 12 * 1024 * 1024
    qr_image_max_pixels: int = 25_000_000
    #: customs allowance rules and rate table (data files; default: the ones in issuers/customs)
    customs_rules_file: Path | None = None
    customs_rates_file: Path | None = None
    #: flat duty rate of the estimate (the real rate depends on the goods; this is an estimate)
    customs_duty_rate: float = Field(default=0.20, ge=0, le=1)
    #: a declaration may be filed this many days before arrival
    customs_max_days_ahead: int = 30
    #: a TTF/OTF font with Hangul for printable PDFs; unset: searched (fonts-nanum, Noto CJK)
    pdf_font_path: Path | None = None

    @field_validator("outbound_allow_hosts")
    @classmethod
    def _allow_entries_parse(cls, entries: list[str]) -> list[str]:
        from verifiers.outbound_http import parse_allow_entry

        for entry in entries:
            parse_allow_entry(entry)
        return entries

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if self.environment == "production":
            for name in ("key_passphrase", "storage_key"):
                value = getattr(self, name)
                if value is None or value.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"ECERT_{name.upper()} must be set to a real secret in production")
        return self

    @property
    def issuer_id(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ecert.db').resolve()}"

    def _secret_file(self, name: str, make: "callable[[], str]") -> str:  # type: ignore[valid-type]
        """Read or create a generated secret in the data dir with owner-only permissions."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        return path.read_text().strip()

    @cached_property
    def effective_key_passphrase(self) -> bytes:
        if self.key_passphrase is not None:
            return self.key_passphrase.get_secret_value().encode()
        return self._secret_file("key-passphrase", lambda: secrets.token_urlsafe(32)).encode()

    @cached_property
    def effective_storage_key(self) -> str:
        if self.storage_key is not None:
            return self.storage_key.get_secret_value()
        return self._secret_file("storage-key", lambda: secrets.token_urlsafe(32))
