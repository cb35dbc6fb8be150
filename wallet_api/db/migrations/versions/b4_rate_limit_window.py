"""rate_limit_window: per-client request counts of anonymous routes, one row per window

Revision ID: b4_rate_limit_window
Revises: b1_device_reg_challenges
Create Date: 2026-12-03 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b4_rate_limit_window'
down_revision = 'b1_device_reg_challenges'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_window',
    sa.Column('bucket', sa.String(length=32), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'client', 'window_start')
    )
    with op.batch_alter_table('rate_limit_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_window_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limit_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_window_expires_at'))
    op.drop_table('rate_limit_window')
