"""sealed presentation results: an OpenID4VP result is sealed at rest, handed over once and
deleted; what stays is the outcome (valid, code, match per credential query)

Plain results already stored are not sealed here (a migration has no storage key): their
outcome is kept and the personal data dropped, so a poll reports them as ``purged``.

Revision ID: c3a71e5d9b20
Revises: af439f10d118
Create Date: 2026-12-03 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a71e5d9b20'
down_revision = 'af439f10d118'
branch_labels = None
depends_on = None

_OUTCOME_FIELDS = ("valid", "code", "match")


def _outcome(result: dict) -> dict:
    def keep(answer: object) -> dict:
        return {name: answer.get(name) for name in _OUTCOME_FIELDS} if isinstance(answer, dict) else {}

    return {k: [keep(a) for a in v] if isinstance(v, list) else keep(v) for k, v in result.items()}


def upgrade() -> None:
    with op.batch_alter_table('verifiers_presentation_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_result', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('result_expires_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('result_collected_at', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_verifiers_presentation_request_result_expires_at'), ['result_expires_at'], unique=False)

    table = sa.table('verifiers_presentation_request', sa.column('id', sa.String), sa.column('result', sa.JSON),
                     sa.column('outcome', sa.JSON))
    bind = op.get_bind()
    for row_id, result in bind.execute(sa.select(table.c.id, table.c.result).where(table.c.result.is_not(None))).all():
        if isinstance(result, dict):
            bind.execute(table.update().where(table.c.id == row_id).values(outcome=_outcome(result)))

    with op.batch_alter_table('verifiers_presentation_request', schema=None) as batch_op:
        batch_op.drop_column('result')


def downgrade() -> None:
    with op.batch_alter_table('verifiers_presentation_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.JSON(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_verifiers_presentation_request_result_expires_at'))
        batch_op.drop_column('result_collected_at')
        batch_op.drop_column('result_expires_at')
        batch_op.drop_column('outcome')
        batch_op.drop_column('sealed_result')
