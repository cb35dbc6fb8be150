"""The holder's submission history: when, to whom, which certificate, which claims, purpose,
outcome. Claim *names* only: the values went to the recipient, the log does not keep them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from wallet_api.wallet.models import Submission, SubmissionPublic


def record_submission(
    session: Session,
    *,
    holder_id: str,
    kind: str,
    recipient_name: str,
    recipient_id: str,
    purpose: str,
    credentials: list[dict[str, Any]],
    outcome: str,
    now: datetime,
    submission_id: str | None = None,
) -> Submission:
    row = Submission(
        id=submission_id or uuid.uuid4().hex,
        holder_id=holder_id,
        created_at=now,
        kind=kind,
        recipient_name=recipient_name,
        recipient_id=recipient_id,
        purpose=purpose,
        credentials=credentials,
        outcome=outcome,
        outcome_at=now,
    )
    session.add(row)
    session.commit()
    return row


def set_outcome(session: Session, *, submission_id: str, outcome: str, now: datetime) -> None:
    row = session.get(Submission, submission_id)
    if row is not None:
        row.outcome, row.outcome_at = outcome, now
        session.add(row)
        session.commit()


def list_submissions(session: Session, *, holder_id: str) -> list[SubmissionPublic]:
    rows = session.exec(
        select(Submission).where(Submission.holder_id == holder_id).order_by(col(Submission.created_at).desc(), col(Submission.id))
    ).all()
    return [SubmissionPublic.model_validate(r, from_attributes=True) for r in rows]
