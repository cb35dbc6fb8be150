"""Each relying party's OpenID4VP identity: an ES256 key and a self-signed certificate.

Client identifier prefix ``x509_hash`` (OpenID4VP 1.0 §5.9.3): the client_id is
``x509_hash:`` + base64url(sha-256(DER of the leaf certificate)); the request object is
signed with the certificate's key and carries it in ``x5c``, so a wallet checks the
signature against the certificate and the certificate against the client_id, with no PKI
and no network. The private key is sealed with the storage key and opened only to sign.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from keys.b64 import b64url_encode
from keys.jws import Signer, generate_private_key
from keys.sealing import Sealer

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
    private_key = generate_private_key("ES256")
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64] or "relying party")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(private_key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    client_id = client_id_for(der)
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return VerifierIdentity(client_id, der, sealer.seal(pkcs8, aad=_aad(client_id)))


def request_signer(*, client_id: str, sealed_private_key: bytes, sealer: Sealer) -> Signer:
    pkcs8 = sealer.open(sealed_private_key, aad=_aad(client_id))
    private_key = serialization.load_der_private_key(pkcs8, password=None)
    return Signer.from_private_key(private_key)  # type: ignore[arg-type]


def x5c(certificate_der: bytes) -> list[str]:
    """The ``x5c`` header value: standard base64 (not base64url) DER, leaf first (RFC 7515 §4.1.6)."""
    return [base64.b64encode(certificate_der).decode("ascii")]
