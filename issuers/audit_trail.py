"""The issuer side's audit trail: who did what to which record or key, and when, in a
hash chain that shows tampering.

Each entry carries the sha-256 of the previous one (``prev_hash``) and its own hash over
its fields and that link, so changing, removing or reordering a row breaks the chain at
that row. The chain head (last sequence number and hash) lives in a one-row table; every
``checkpoint_entries`` entries or ``checkpoint_interval_s`` seconds the head is signed with
the issuer key (a compact JWS kept in ``issuers_audit_checkpoint``), so even rewriting the
whole chain from some point on is caught by a signature nobody without the key can make.

Appending is serialised on the head row: the first statement of ``append`` is an UPDATE of
that row, which takes PostgreSQL's row lock (a second worker waits until the first
commits) and SQLite's single write lock, before the head is read. Entries are appended in
the caller's transaction, so an action and its audit entry commit or roll back together.

No claim values, resident registration numbers, codes or keys go in here: actors and
targets are ids, reasons are codes from a fixed list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from keys.errors import KeyLayerError
from keys.jws import Signer, VerificationKey, verify_compact
from keys.models import IssuerKey
from schemas.errors import InvalidInput

#: the ``prev_hash`` of the first entry
GENESIS_HASH = "0" * 64
_HEAD_ID = 1
#: JWS ``typ`` of a signed chain head
CHECKPOINT_TYP = "ecert-audit-checkpoint+jwt"

#: actor prefixes: who acted (the rest of the actor string is an id, never a name or number)
ACTOR_OPERATOR = "operator:"
ACTOR_ADMIN = "admin:"
ACTOR_HOLDER = "holder:"
ACTOR_CLI = "cli"
ACTOR_SYSTEM = "system"


class AuditEntry(SQLModel, table=True):
    __tablename__ = "issuers_audit_entry"

    #: 1, 2, 3, ... with no gaps: a missing number is a removed entry
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    #: microseconds since the epoch (an integer hashes the same on every database)
    at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor: str = Field(max_length=80)
    action: str = Field(max_length=64)
    target: str = Field(max_length=200)
    #: whose entry it is: an operator reads only its agency's (None: service-wide events)
    agency_id: str | None = Field(default=None, max_length=32, index=True)
    reason: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The one row every append locks: the last entry, and when the head was last signed."""

    __tablename__ = "issuers_audit_head"

    id: int = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_hash: str = Field(max_length=64)
    checkpoint_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    checkpoint_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))


class AuditCheckpoint(SQLModel, table=True):
    """The chain head at entry ``seq``, signed by the issuer key."""

    __tablename__ = "issuers_audit_checkpoint"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    entry_hash: str = Field(max_length=64)
    signed_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    kid: str = Field(max_length=64)
    jws: str = Field(sa_column=Column(Text, nullable=False))


class AuditEntryPublic(SQLModel):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    agency_id: str | None
    reason: str | None
    request_id: str | None
    entry_hash: str


@dataclass(frozen=True)
class AuditEvent:
    """What happened; ``append`` adds the time, the sequence number and the hashes."""

    actor: str
    action: str
    target: str
    agency_id: str | None = None
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class CheckpointPolicy:
    """When to sign the chain head, and with what (the active issuer key, from the caller)."""

    signer: Callable[[Session], Signer]
    every_entries: int = 100
    every_s: int = 600


@dataclass(frozen=True)
class ChainReport:
    entries: int
    checkpoints: int
    #: the first entry that was changed, removed or reordered (None: the chain is whole)
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def whole(self) -> bool:
        return self.first_bad_seq is None


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def entry_digest(entry: AuditEntry) -> str:
    """sha-256 of the entry's fields and its link, as canonical JSON."""
    fields = {
        "seq": entry.seq,
        "at_us": entry.at_us,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "agency_id": entry.agency_id,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_event(event: AuditEvent) -> None:
    for name, value, limit in (("actor", event.actor, 80), ("action", event.action, 64), ("target", event.target, 200)):
        if not value or len(value) > limit:
            raise InvalidInput(f"audit {name} must be 1-{limit} characters")
    if event.request_id is not None and len(event.request_id) > 64:
        raise InvalidInput("request id longer than 64 characters")


def _locked_head(session: Session) -> AuditHead:
    """The head row, locked until the caller's transaction ends (created on first use)."""
    bump = update(AuditHead).where(col(AuditHead.id) == _HEAD_ID).values(seq=AuditHead.seq)  # type: ignore[arg-type]
    if session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(AuditHead(id=_HEAD_ID, seq=0, entry_hash=GENESIS_HASH, checkpoint_seq=0, checkpoint_at_us=0))
        except IntegrityError:  # another worker created it first: take its lock instead
            pass
        session.execute(bump)
    head = session.exec(select(AuditHead).where(AuditHead.id == _HEAD_ID).execution_options(populate_existing=True)).one()
    return head


def append(session: Session, event: AuditEvent, *, now: datetime, policy: CheckpointPolicy | None = None) -> AuditEntry:
    """Append ``event`` in the caller's transaction (the caller commits)."""
    _check_event(event)
    head = _locked_head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        at_us=_micros(now),
        actor=event.actor,
        action=event.action,
        target=event.target,
        agency_id=event.agency_id,
        reason=event.reason,
        request_id=event.request_id,
        prev_hash=head.entry_hash,
        entry_hash="",
    )
    entry.entry_hash = entry_digest(entry)
    session.add(entry)
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    if policy is not None and _checkpoint_due(head, now=now, policy=policy):
        _sign_head(session, head, signer=policy.signer(session), now=now)
    session.add(head)
    session.flush()
    return entry


def _checkpoint_due(head: AuditHead, *, now: datetime, policy: CheckpointPolicy) -> bool:
    if head.seq - head.checkpoint_seq >= policy.every_entries:
        return True
    return _micros(now) - head.checkpoint_at_us >= policy.every_s * 1_000_000


def _sign_head(session: Session, head: AuditHead, *, signer: Signer, now: datetime) -> AuditCheckpoint:
    signed_at = _micros(now)
    jws = signer.sign_compact({"typ": CHECKPOINT_TYP}, {"seq": head.seq, "entry_hash": head.entry_hash, "iat": signed_at // 1_000_000})
    checkpoint = AuditCheckpoint(seq=head.seq, entry_hash=head.entry_hash, signed_at_us=signed_at, kid=signer.kid or "", jws=jws)
    session.add(checkpoint)
    head.checkpoint_seq, head.checkpoint_at_us = head.seq, signed_at
    return checkpoint


def sign_head_now(session: Session, *, signer: Signer, now: datetime) -> AuditCheckpoint | None:
    """Sign the current head (e.g. before an export); None when the chain is empty."""
    head = _locked_head(session)
    if head.seq == 0:
        session.rollback()
        return None
    existing = session.get(AuditCheckpoint, head.seq)
    if existing is not None:
        session.rollback()
        return existing
    checkpoint = _sign_head(session, head, signer=signer, now=now)
    session.add(head)
    session.commit()
    return checkpoint


def _issuer_key(session: Session, kid: str) -> VerificationKey:
    # any issuer key that ever existed, retired or not: old checkpoints stay checkable
    row = session.get(IssuerKey, kid)
    if row is None:
        raise KeyLayerError(f"unknown key {kid!r}")
    return VerificationKey.from_jwk(row.public_jwk, kid=row.kid)


def _checkpoint_problem(session: Session, checkpoint: AuditCheckpoint, entry_hash: str) -> str | None:
    try:
        verified = verify_compact(checkpoint.jws, lambda header: _issuer_key(session, str(header.get("kid"))), expected_typ=CHECKPOINT_TYP)
    except (KeyLayerError, ValueError):
        return f"the checkpoint at entry {checkpoint.seq} does not carry a valid issuer signature"
    payload = verified.payload
    if payload.get("seq") != checkpoint.seq or payload.get("entry_hash") != entry_hash:
        return f"entry {checkpoint.seq} differs from what the signed checkpoint recorded"
    return None


def _entries(session: Session) -> Iterator[AuditEntry]:
    statement = select(AuditEntry).order_by(col(AuditEntry.seq)).execution_options(yield_per=1000)
    yield from session.exec(statement)


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain from the first entry; name the first one changed, removed or reordered."""
    checkpoints = {c.seq: c for c in session.exec(select(AuditCheckpoint))}
    head = session.get(AuditHead, _HEAD_ID)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    previous: AuditEntry | None = None

    def bad(seq: int, problem: str) -> ChainReport:
        return ChainReport(entries=count, checkpoints=len(checkpoints), first_bad_seq=seq, problem=problem)

    for entry in _entries(session):
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return bad(expected_seq, f"entry {expected_seq} was removed (the next one is {entry.seq})")
            return bad(entry.seq, f"entry {entry.seq} is out of order")
        if entry_digest(entry) != entry.entry_hash:
            return bad(entry.seq, f"entry {entry.seq} was changed (its hash does not match its contents)")
        if entry.prev_hash != prev_hash:
            # the entry itself is intact, so the one before it was rewritten (hash and all)
            culprit = previous.seq if previous is not None else entry.seq
            return bad(culprit, f"entry {culprit} was changed (entry {entry.seq} recorded a different hash for it)")
        checkpoint = checkpoints.get(entry.seq)
        if checkpoint is not None:
            problem = _checkpoint_problem(session, checkpoint, entry.entry_hash)
            if problem is not None:
                return bad(entry.seq, problem)
        count += 1
        prev_hash, previous, expected_seq = entry.entry_hash, entry, entry.seq + 1
    last = expected_seq - 1
    beyond = [seq for seq in checkpoints if seq > last]
    if beyond or (head is not None and head.seq > last):
        return bad(last + 1, f"entry {last + 1} and after were removed (the chain head or a checkpoint names later entries)")
    if head is not None and head.seq == last and last > 0 and head.entry_hash != prev_hash:
        return bad(last, f"entry {last} was changed (the chain head recorded a different hash)")
    return ChainReport(entries=count, checkpoints=len(checkpoints))


def agency_entries(
    session: Session, *, agency_id: str | None, limit: int = 50, before_seq: int | None = None
) -> list[AuditEntryPublic]:
    """Newest first; ``before_seq`` (the last ``seq`` of the previous page) pages back.
    ``agency_id`` None: every entry (service administrators)."""
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be 1-500")
    statement = select(AuditEntry)
    if agency_id is not None:
        statement = statement.where(AuditEntry.agency_id == agency_id)
    if before_seq is not None:
        statement = statement.where(col(AuditEntry.seq) < before_seq)
    rows = session.exec(statement.order_by(col(AuditEntry.seq).desc()).limit(limit)).all()
    return [
        AuditEntryPublic(
            seq=row.seq,
            at=datetime.fromtimestamp(row.at_us / 1_000_000, tz=UTC),
            actor=row.actor,
            action=row.action,
            target=row.target,
            agency_id=row.agency_id,
            reason=row.reason,
            request_id=row.request_id,
            entry_hash=row.entry_hash,
        )
        for row in rows
    ]
