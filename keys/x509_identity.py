"""Self-signed X.509 identities: an ES256 key and a certificate for it.

Used where a party proves who it is by a certificate with no PKI behind it (OpenID4VP's
``x509_hash`` client identifiers). The private key is sealed at rest and only ever opened
here, into a ``Signer``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from keys.jws import Signer
from keys.sealing import Sealer


@dataclass(frozen=True)
class SealedIdentity:
    certificate_der: bytes
    sealed_private_key: bytes


def create_self_signed(
    *, common_name: str, sealer: Sealer, aad_for: Callable[[bytes], bytes], now: datetime, validity: timedelta
) -> SealedIdentity:
    """``aad_for(certificate_der)`` names what the sealed key belongs to (e.g. a client id
    derived from the certificate), so a key copied to another owner does not open."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "unnamed")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(private_key, hashes.SHA256())
    )
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return SealedIdentity(der, sealer.seal(pkcs8, aad=aad_for(der)))


def open_signer(sealed_private_key: bytes, *, sealer: Sealer, aad: bytes) -> Signer:
    private_key = serialization.load_der_private_key(sealer.open(sealed_private_key, aad=aad), password=None)
    return Signer.from_private_key(private_key)  # type: ignore[arg-type]


def x5c(certificate_der: bytes) -> list[str]:
    """The ``x5c`` header value: standard base64 (not base64url) DER, leaf first (RFC 7515 §4.1.6)."""
    return [base64.b64encode(certificate_der).decode("ascii")]
