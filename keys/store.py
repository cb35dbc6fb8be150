"""Issuer key storage, rotation and JWKS.

Private keys are decrypted only here and handed out as ``Signer`` objects. The active key
is the newest key with no ``retired_at``. Rotation retires the active key and keeps it
published for ``max_validity`` (no credential it signed can outlive that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from threading import Lock

from cryptography.hazmat.primitives import serialization
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from keys.errors import JWSKeyUnknown, NoActiveKey
from keys.jwk import public_jwk, thumbprint
from keys.jws import Signer, VerificationKey, generate_private_key
from keys.models import IssuerKey, IssuerKeyPublic


def _encrypt(private_key, passphrase: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def _new_key_row(*, passphrase: bytes, alg: str, now: datetime) -> IssuerKey:
    private_key = generate_private_key(alg)
    jwk = public_jwk(private_key)
    kid = thumbprint(jwk)
    return IssuerKey(
        kid=kid,
        alg=alg,
        created_at=now,
        public_jwk={**jwk, "kid": kid, "alg": alg, "use": "sig"},
        encrypted_pkcs8=_encrypt(private_key, passphrase),
    )


def create_key(session: Session, *, passphrase: bytes, alg: str, now: datetime) -> IssuerKeyPublic:
    row = _new_key_row(passphrase=passphrase, alg=alg, now=now)
    session.add(row)
    session.commit()
    return IssuerKeyPublic.model_validate(row, from_attributes=True)


def active_key(session: Session) -> IssuerKey | None:
    statement = (
        select(IssuerKey)
        .where(col(IssuerKey.retired_at).is_(None))
        .order_by(col(IssuerKey.created_at).desc(), col(IssuerKey.kid))
        .limit(1)
    )
    return session.exec(statement).first()


def ensure_active_key(session: Session, *, passphrase: bytes, alg: str, now: datetime) -> IssuerKeyPublic:
    """First start: generate the issuer key. Safe when several workers start at once."""
    existing = active_key(session)
    if existing is not None:
        return IssuerKeyPublic.model_validate(existing, from_attributes=True)
    try:
        return create_key(session, passphrase=passphrase, alg=alg, now=now)
    except IntegrityError:  # pragma: no cover - another worker won the race
        session.rollback()
        found = active_key(session)
        assert found is not None
        return IssuerKeyPublic.model_validate(found, from_attributes=True)


#: how stale a process's idea of the active key may get (SignerCache.active_recheck_s in the
#: app): a retired key stays published this much longer than the longest validity, so a
#: credential it signed just after a rotation elsewhere never outlives its key
ACTIVE_KEY_RECHECK_S = 5.0


def rotate_key(
    session: Session, *, passphrase: bytes, alg: str, now: datetime, max_validity: timedelta
) -> IssuerKeyPublic:
    for row in session.exec(select(IssuerKey).where(col(IssuerKey.retired_at).is_(None))):
        row.retired_at = now
        row.publish_until = now + max_validity + timedelta(seconds=ACTIVE_KEY_RECHECK_S)
        session.add(row)
    # one transaction: there is never a moment with zero or two active keys
    row = _new_key_row(passphrase=passphrase, alg=alg, now=now)
    session.add(row)
    session.commit()
    return IssuerKeyPublic.model_validate(row, from_attributes=True)


def list_keys(session: Session) -> list[IssuerKeyPublic]:
    rows = session.exec(select(IssuerKey).order_by(col(IssuerKey.created_at))).all()
    return [IssuerKeyPublic.model_validate(row, from_attributes=True) for row in rows]


def published_keys(session: Session, *, now: datetime) -> list[IssuerKeyPublic]:
    statement = (
        select(IssuerKey)
        .where(or_(col(IssuerKey.publish_until).is_(None), col(IssuerKey.publish_until) > now))
        .order_by(col(IssuerKey.created_at).desc())
    )
    return [IssuerKeyPublic.model_validate(row, from_attributes=True) for row in session.exec(statement)]


def jwks(session: Session, *, now: datetime) -> dict[str, list[dict]]:
    return {"keys": [dict(key.public_jwk) for key in published_keys(session, now=now)]}


class SignerCache:
    """Decrypting PKCS#8 costs a key derivation: decrypt once per kid per process.

    Key material is cached for good (kid → key never changes). Which key is active is read
    from the database, at most once per ``active_recheck_s`` (0: on every call), so a
    rotation by another process is picked up within that time; meanwhile the retired key,
    still published, keeps signing and its credentials stay verifiable.
    """

    def __init__(
        self, passphrase: bytes, *, active_recheck_s: float = 0.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._passphrase = passphrase
        self._signers: dict[str, Signer] = {}
        self._lock = Lock()
        self._active_recheck_s = active_recheck_s
        self._monotonic = monotonic
        #: (the active signer, when its row was read)
        self._active: tuple[Signer, float] | None = None

    def active_signer(self, session: Session) -> Signer:
        cached = self._active
        tick = self._monotonic()
        if cached is not None and tick - cached[1] < self._active_recheck_s:
            return cached[0]
        row = active_key(session)
        if row is None:
            raise NoActiveKey("no active issuer key; run migrations and start the service once")
        signer = self._signer_for(row)
        self._active = (signer, tick)  # one attribute store: atomic under the GIL
        return signer

    def signer_for_kid(self, session: Session, kid: str) -> Signer:
        """A retired key still signs the status lists of the credentials it issued."""
        row = session.get(IssuerKey, kid)
        if row is None:
            raise JWSKeyUnknown(f"unknown key {kid!r}")
        return self._signer_for(row)

    def _signer_for(self, row: IssuerKey) -> Signer:
        signer = self._signers.get(row.kid)
        if signer is None:
            private_key = serialization.load_pem_private_key(row.encrypted_pkcs8, self._passphrase)
            signer = Signer.from_private_key(private_key, kid=row.kid)  # type: ignore[arg-type]
            with self._lock:
                self._signers[row.kid] = signer
        return signer


def verification_key(session: Session, kid: str, *, now: datetime) -> VerificationKey:
    row = session.get(IssuerKey, kid)
    if row is None or (row.publish_until is not None and row.publish_until <= now):
        raise JWSKeyUnknown(f"unknown or unpublished key {kid!r}")
    return VerificationKey.from_jwk(row.public_jwk, kid=row.kid)


class PublishedKeyCache:
    """kid → verification key, with "is it still published?" re-read at most every ``recheck_s``.

    The kid is the key's RFC 7638 thumbprint, so the key material behind a kid can never
    change: it is cached for the life of the process. What can change is ``publish_until``
    (a rotation sets it on the retired key); that is re-read from the database once per
    ``recheck_s`` per kid, and between re-reads the cached bound is still enforced, so a key
    leaves verification at its ``publish_until`` to the second, or within ``recheck_s`` of
    an operator change. Unknown kids are never cached: a stream of made-up kids costs a
    primary-key lookup each, never memory.
    """

    def __init__(self, recheck_s: float = 30.0, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._recheck_s = recheck_s
        self._monotonic = monotonic
        #: kid → (key, publish_until, when the row was last read)
        self._keys: dict[str, tuple[VerificationKey, datetime | None, float]] = {}

    def verification_key(self, session_factory: Callable[[], AbstractContextManager[Session]], kid: str, *, now: datetime) -> VerificationKey:
        """The published key for ``kid``; ``session_factory`` is only opened on a (re)check."""
        cached = self._keys.get(kid)
        tick = self._monotonic()
        if cached is None or tick - cached[2] >= self._recheck_s:
            with session_factory() as session:
                row = session.get(IssuerKey, kid)
                if row is None:
                    self._keys.pop(kid, None)
                    raise JWSKeyUnknown(f"unknown or unpublished key {kid!r}")
                key = cached[0] if cached is not None else VerificationKey.from_jwk(row.public_jwk, kid=row.kid)
                cached = (key, row.publish_until, tick)
            self._keys[kid] = cached  # one dict store: atomic under the GIL, no lock needed
        key, publish_until, _ = cached
        if publish_until is not None and publish_until <= now:
            raise JWSKeyUnknown(f"unknown or unpublished key {kid!r}")
        return key
