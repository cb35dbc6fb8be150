"""Each relying party's OpenID4VP identity: an ES256 key and a self-signed certificate.

Client identifier prefix ``x509_hash`` (OpenID4VP 1.0 §5.9.3): the client_id is
``x509_hash:`` + base64url(sha-256(DER of the leaf certificate)); the request object is
signed with the certificate's key and carries it in ``x5c``, so a wallet checks the
signature against the certificate and the certificate against the client_id, with no PKI
and no network. The key itself stays in ``keys`` (sealed with the storage key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from keys.b64 import b64url_encode
from keys.jws import Signer
from keys.sealing import Sealer
from keys.x509_identity import create_self_signed, open_signer
from keys.x509_identity import x5c as x5c

CLIENT_ID_PREFIX = "x509_hash:"
CERTIFICATE_VALIDITY = timedelta(days=3 * 365)


@dataclass(frozen=True)
class VerifierIdentity:
    client_id: str
    certificate_der: bytes
    sealed_private_key: bytes


def client_id_for(certificate_der: bytes) -> str:
    return CLIENT_ID_PREFIX + b64url_encode(hashlib.sha256(certificate_der).digest())


def _aad(client_id: str) -> bytes:
    # binds the sealed key to its relying party: a key copied into another row does not open
    return b"verifiers_relying_party:" + client_id.encode()


def create_identity(*, name: str, sealer: Sealer, now: datetime) -> VerifierIdentity:
    identity = create_self_signed(
        common_name=name or "relying party",
        sealer=sealer,
        aad_for=lambda der: _aad(client_id_for(der)),
        now=now,
        validity=CERTIFICATE_VALIDITY,
    )
    return VerifierIdentity(client_id_for(identity.certificate_der), identity.certificate_der, identity.sealed_private_key)


def request_signer(*, client_id: str, sealed_private_key: bytes, sealer: Sealer) -> Signer:
    return open_signer(sealed_private_key, sealer=sealer, aad=_aad(client_id))
