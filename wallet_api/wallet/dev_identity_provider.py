"""The development identity provider: signs assertions for synthetic people (demo and tests).

Its ES256 key is generated into the data dir on first use (``keys.file_keys``). It is trusted, and its endpoint exists,
only when ``environment == "development"``: a production wallet never accepts it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from issuers.synthetic_registry.person import Person
from issuers.synthetic_registry.population import SyntheticPopulation
from keys.file_keys import load_or_create_signer
from keys.jws import VerificationKey
from wallet_api.settings import Settings
from wallet_api.wallet.identity_providers import IdentityProvider

KEY_FILE = "dev-identity-provider.pem"
ASSERTION_TTL_S = 300


def dev_provider_issuer(settings: Settings) -> str:
    return settings.issuer_id + "/dev/identity-provider"


class DevIdentityProvider:
    def __init__(self, settings: Settings) -> None:
        self.issuer = dev_provider_issuer(settings)
        self._audience = settings.issuer_id
        self._signer = load_or_create_signer(settings.data_dir / KEY_FILE, passphrase=settings.effective_key_passphrase)

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
