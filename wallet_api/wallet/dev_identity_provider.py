"""The development identity provider: signs assertions for synthetic people (demo and tests).

Its ES256 key is generated into the data dir on first use (PKCS#8, encrypted with the key
passphrase, mode 0600) and kept inside a ``Signer``. It is trusted, and its endpoint exists,
only when ``environment == "development"``: a production wallet never accepts it.
"""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from issuers.sources.person import Person
from issuers.sources.population import SyntheticPopulation
from keys.jws import Signer, VerificationKey, generate_private_key
from wallet_api.settings import Settings
from wallet_api.wallet.identity_providers import IdentityProvider

KEY_FILE = "dev-identity-provider.pem"
ASSERTION_TTL_S = 300


def dev_provider_issuer(settings: Settings) -> str:
    return settings.issuer_id + "/dev/identity-provider"


def _load_or_create(path: Path, passphrase: bytes) -> Signer:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
        return Signer.from_private_key(private_key)  # type: ignore[arg-type]
    private_key = generate_private_key("ES256")
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(passphrase)
    )
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return Signer.from_private_key(private_key)


class DevIdentityProvider:
    def __init__(self, settings: Settings) -> None:
        self.issuer = dev_provider_issuer(settings)
        self._audience = settings.issuer_id
        self._signer = _load_or_create(settings.data_dir / KEY_FILE, settings.effective_key_passphrase)

    def as_trusted(self) -> IdentityProvider:
        key: VerificationKey = self._signer.verification_key()
        return IdentityProvider(self.issuer, {self._signer.kid: key})

    def assert_identity(self, person: Person, *, now: datetime) -> str:
        epoch = int(now.timestamp())
        payload = {
            "iss": self.issuer,
            "aud": self._audience,
            "iat": epoch,
            "exp": epoch + ASSERTION_TTL_S,
            "jti": uuid.uuid4().hex + secrets.token_hex(4),
            "rrn": person.rrn,
            "name": person.name,
            "birth_date": person.birth_date.isoformat(),
        }
        return self._signer.sign_compact({"typ": "JWT"}, payload)

    def assert_for(self, population: SyntheticPopulation, *, person_id: str, now: datetime) -> str:
        """An assertion for a synthetic person by id (NotFound for an unknown id)."""
        return self.assert_identity(population.by_id(person_id), now=now)
