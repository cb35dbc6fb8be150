"""device registration challenges: a device key is registered only with proof of possession

Revision ID: b1_device_reg_challenges
Revises: c6ca6971a48c
Create Date: 2026-12-03 08:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'b1_device_reg_challenges'
down_revision = 'c6ca6971a48c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wallet_device_registration_challenge',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['wallet_holder.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wallet_device_registration_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_device_registration_challenge_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_device_registration_challenge_holder_id'), ['holder_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wallet_device_registration_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_device_registration_challenge_holder_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_device_registration_challenge_expires_at'))

    op.drop_table('wallet_device_registration_challenge')
