"""The one settings object, read from ``ECERT_*`` environment variables.

Nothing reads the environment anywhere else; tests build a ``Settings`` and pass it to
``create_app``.
"""

from __future__ import annotations

import binascii
import os
import re
import secrets
from base64 import b64decode
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wallet_api.db.private_files import PRIVATE_FILE_MODE, ensure_private_dir

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "password", "ecert"})
#: production minimums: the storage key is key material (32 random bytes, as generated);
#: the passphrase protects the issuer keys by a slow KDF, but a short one is still guessable
MIN_STORAGE_KEY_BYTES = 32
MIN_KEY_PASSPHRASE_CHARS = 32

_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


class SettingsError(ValueError):
    """The configuration cannot start the service; the message is one line naming the variable."""


def decoded_key_length(value: str) -> int:
    """Bytes a storage key stands for: hex, or base64 / base64url with or without padding;
    0 when it is neither. Only checked, never used to derive the key: the sealer takes the
    configured text as is, so data sealed before this check opens as before."""
    value = value.strip()
    if _HEX.fullmatch(value) and len(value) % 2 == 0:
        return len(value) // 2
    if not _BASE64.fullmatch(value):
        return 0
    unpadded = value.rstrip("=")
    try:
        return len(b64decode(unpadded.replace("-", "+").replace("_", "/") + "=" * (-len(unpadded) % 4), validate=True))
    except (binascii.Error, ValueError):
        return 0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECERT_", extra="ignore")

    #: development: an unauthenticated endpoint mints enrolment assertions, generated secrets
    #: are fine and ``ecert serve`` binds loopback only; production: real secrets, https
    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = Field(default=None, description="default: SQLite file in data_dir")
    #: the external base URL; https in production
    public_url: str = "http://127.0.0.1:8000"
    #: /openapi.json, /docs and /redoc; None: served in development, not in production
    api_docs: bool | None = None
    #: GET /metrics needs "Authorization: Bearer <this>"; unset: open in development, 404 in production
    metrics_token: SecretStr | None = None
    #: json: one JSON object per log line (request id, route, status, duration, outcome);
    #: text: plain lines; None: json in production, text in development
    log_format: Literal["json", "text"] | None = None
    #: protects the issuer private keys (PKCS#8). Unset: a random one is generated into data_dir (0600).
    key_passphrase: SecretStr | None = None
    issuer_key_alg: Literal["ES256", "EdDSA"] = "ES256"
    #: AES-256-GCM key (base64url, 32 bytes) for data at rest. Unset: generated into data_dir (0600).
    storage_key: SecretStr | None = None
    types_dir: Path | None = None
    status_list_size: int = 131072
    status_list_ttl_s: int = 300
    max_body_bytes: int = 256 * 1024
    # --- slow and greedy clients (ecert serve; run behind a reverse proxy in production)
    #: a request body that sends nothing for this long gets 408 (as nginx's client_body_timeout)
    body_read_timeout_s: float = Field(default=30, gt=0)
    #: a request head (line and headers) must arrive within this of the connection opening or
    #: of its first byte, else the connection is closed (as nginx's client_header_timeout)
    header_read_timeout_s: float = Field(default=10, gt=0)
    #: a request head larger than this gets 431 and the connection is closed
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    #: an idle keep-alive connection is closed after this
    keep_alive_timeout_s: int = Field(default=5, ge=1)
    #: connections plus requests in flight per worker; past it, a new request gets 503
    max_concurrency: int = Field(default=1000, ge=1)
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
    #: a relying party's OpenID4VP result is handed over once (the first poll that sees it)
    #: and deleted; one not collected within this is deleted anyway (its outcome stays)
    presentation_result_retention_s: int = Field(default=600, ge=1)
    #: a presentation request (and its outcome) is deleted this long after it expired
    #: (``ecert maintenance``)
    presentation_request_retention_s: int = Field(default=7 * 86400, ge=0)
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
    # --- anonymous routes: rate limits and expired rows
    #: requests per minute one client address may make to each anonymous route that writes
    #: (sign-in challenge and token, enrolment, /nonce, /token, OpenID4VP responses, shared
    #: links, console sign-in); 0 turns the limit off (load tests from one address)
    rate_limit_anonymous_per_minute: int = Field(default=300, ge=0)
    #: requests per minute per credential on the routes where a secret can be guessed: /token
    #: per pre-authorized code (tx_code guesses), holder sign-in per device, enrolment per
    #: identity, a shared link's viewing code per link, console sign-in per party; 0: off
    rate_limit_credential_per_minute: int = Field(default=30, ge=0)
    #: requests per minute per client address and per relying party on POST /v1/verify and
    #: /v1/qr/verify: flood protection only, far above a busy counter or a load test; 0: off.
    #: None: 300000 with Redis, off with the database (one shared counter row per address and
    #: party serialized every verification: 534 → 231 req/s in the benchmark)
    rate_limit_verify_per_minute: int | None = Field(default=None, ge=0)
    #: Redis for the rate-limit counters (e.g. redis://127.0.0.1:6379/0); None: the database
    redis_url: str | None = None
    #: prefix of the rate-limit keys in Redis
    redis_key_prefix: str = "ecert:rl:"
    #: the server purges expired rows (``ecert maintenance``) this often, one worker at a
    #: time; 0 turns the periodic run off
    maintenance_interval_s: int = Field(default=300, ge=0)
    #: every this many inserts into a table of expiring rows also deletes its expired rows…
    expired_sweep_every: int = Field(default=16, ge=1)
    #: …at most this many at a time (keep batch / every above 1 so the sweep keeps up)
    expired_sweep_batch: int = Field(default=100, ge=1)
    # --- verifier console (relying-party staff in a browser)
    #: a console sign-in lasts at most this long, however busy the counter is
    console_session_ttl_s: int = 8 * 3600
    #: and ends after this long without a request (a counter computer left alone)
    console_idle_timeout_s: int = 15 * 60
    #: Secure cookies; None: when public_url is https (plain http only on a developer's
    #: machine); always Secure in production (false is refused there)
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
    # --- audit trail (hash-chained; the chain head is signed by the issuer key)
    #: sign the chain head after this many new entries
    audit_checkpoint_entries: int = Field(default=100, ge=1)
    #: or when the last signature is older than this at the next entry (seconds)
    audit_checkpoint_interval_s: int = Field(default=600, ge=1)

    @field_validator("outbound_allow_hosts")
    @classmethod
    def _allow_entries_parse(cls, entries: list[str]) -> list[str]:
        from verifiers.outbound_http import parse_allow_entry

        for entry in entries:
            parse_allow_entry(entry)
        return entries

    @model_validator(mode="after")
    def _refuse_weak_settings(self) -> "Settings":
        for name in ("key_passphrase", "storage_key"):
            value = getattr(self, name)
            # an unset variable in a deployment template arrives as "": never a real secret
            if value is not None and not value.get_secret_value().strip():
                raise ValueError(f"ECERT_{name.upper()} is empty: unset it (development) or give a real secret")
        if self.environment != "production":
            return self
        for name in ("key_passphrase", "storage_key"):
            value = getattr(self, name)
            if value is None or value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(f"ECERT_{name.upper()} must be set to a real secret in production")
        if len(self.key_passphrase.get_secret_value()) < MIN_KEY_PASSPHRASE_CHARS:  # type: ignore[union-attr]
            raise ValueError(f"ECERT_KEY_PASSPHRASE must be at least {MIN_KEY_PASSPHRASE_CHARS} characters in production")
        if decoded_key_length(self.storage_key.get_secret_value()) < MIN_STORAGE_KEY_BYTES:  # type: ignore[union-attr]
            raise ValueError(
                f"ECERT_STORAGE_KEY must be at least {MIN_STORAGE_KEY_BYTES} random bytes in base64, base64url or hex"
                " in production (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if not self.public_url.startswith("https://"):
            raise ValueError("ECERT_PUBLIC_URL must be an https:// URL in production")
        if self.console_cookie_secure is False:
            raise ValueError("ECERT_CONSOLE_COOKIE_SECURE cannot be false in production")
        return self

    @classmethod
    def from_environment(cls, **values: Any) -> "Settings":
        """``Settings(**values)`` (values win over the environment) with a refusal as one line
        (``SettingsError``) instead of pydantic's report."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SettingsError(one_line(exc)) from None

    @property
    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment == "development"

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
        ensure_private_dir(self.data_dir)
        path = self.data_dir / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        except FileExistsError:
            value = path.read_text().strip()
            if not value:
                # a truncated file must not become an empty key that seals nothing
                raise SettingsError(f"{path} is empty: restore it from a backup (or delete it with the data it protects)") from None
            return value
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


def one_line(exc: ValidationError) -> str:
    """Pydantic's report as one line: each problem names its ECERT_ variable."""
    problems = []
    for error in exc.errors():
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        location = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        if location and not message.startswith("ECERT_"):
            message = f"ECERT_{location[0].upper()}: {message}"
        problems.append(message)
    return "; ".join(problems) or str(exc).splitlines()[0]

