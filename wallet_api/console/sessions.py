"""Signed-in relying-party staff: server-side sessions behind a cookie.

The cookie holds a 256-bit random token; the table keeps only its sha-256, so a copy of
the database does not let anyone sit at a bank's counter. A session ends at the first of:
sign-out, ``idle_s`` without a request, ``ttl_s`` after sign-in (a shared counter
computer should not stay signed in overnight), or the relying party being deactivated.

Each session carries its own CSRF token (random, rendered into pages and sent back in a
header or form field on every POST); the cookie is also ``SameSite=Strict``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import BigInteger, Column, delete
from sqlmodel import Field, Session, SQLModel

from schemas.errors import AuthError
from verifiers.models import RelyingParty
from verifiers.relying_parties import authenticate
from wallet_api.console.errors import CsrfRefused
from wallet_api.db.expired_rows import ExpiredRowSweeper, ExpiringTable

TABLE_NAME = "console_session"


class ConsoleSession(SQLModel, table=True):
    __tablename__ = TABLE_NAME

    #: sha-256 hex of the cookie token; the token itself is never stored
    id: str = Field(primary_key=True, max_length=64)
    relying_party_id: str = Field(foreign_key="verifiers_relying_party.id", index=True, max_length=32)
    csrf_token: str = Field(max_length=64)
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_seen_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: absolute end, whatever the activity
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


SESSIONS = ExpiringTable.of(ConsoleSession)


class StaffSession:
    """A live session and its relying party, as the console's routes see it."""

    def __init__(self, row: ConsoleSession, party: RelyingParty) -> None:
        self.row = row
        self.party = party

    @property
    def csrf_token(self) -> str:
        return self.row.csrf_token

    def check_csrf(self, presented: str | None) -> None:
        if not presented or not hmac.compare_digest(presented.encode(), self.row.csrf_token.encode()):
            raise CsrfRefused()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    session: Session, *, api_key: str, client_id: str | None, now: int, ttl_s: int, sweeper: ExpiredRowSweeper
) -> tuple[str, StaffSession]:
    """(cookie token, session) for a relying party's API key (and its client_id, when given)."""
    party = authenticate(session, api_key=api_key.strip())
    # a typed client_id must match: a key pasted into the wrong bank's console is refused
    if client_id and client_id.strip() and not hmac.compare_digest(client_id.strip().encode(), party.client_id.encode()):
        raise AuthError("this API key does not belong to that client_id")
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=_digest(token),
        relying_party_id=party.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ttl_s,
    )
    # sessions past their absolute end go a bounded batch at a time (idle ones when next seen)
    sweeper.after_insert(session, SESSIONS, now=now)
    session.add(row)
    session.commit()
    return token, StaffSession(row, party)


def resume(session: Session, *, token: str | None, now: int, idle_s: int) -> StaffSession | None:
    """The live session for a cookie token, its idle clock restarted; None when there is none."""
    if not token:
        return None
    row = session.get(ConsoleSession, _digest(token))
    if row is None:
        return None
    party = session.get(RelyingParty, row.relying_party_id)
    if now >= row.expires_at or now - row.last_seen_at >= idle_s or party is None or not party.active:
        session.delete(row)
        session.commit()
        return None
    row.last_seen_at = now
    session.add(row)
    session.commit()
    return StaffSession(row, party)


def sign_out(session: Session, *, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == _digest(token)))  # type: ignore[arg-type]
        session.commit()


def purge_expired(session: Session, *, now: int) -> int:
    """Drop sessions past their absolute end (idle ones are dropped when next seen)."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))  # type: ignore[arg-type]
    session.commit()
    return result.rowcount


def end_party_sessions(session: Session, *, relying_party_id: str) -> int:
    """Sign out every console session of a party (deactivated, or its key rotated after a
    leak); the caller commits with the change that ends them."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.relying_party_id == relying_party_id))  # type: ignore[arg-type]
    return result.rowcount
