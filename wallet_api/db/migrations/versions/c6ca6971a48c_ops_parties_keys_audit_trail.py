"""issue 16 ops: operator/party deactivation and key rotation, status-change reasons,
service administrators, the hash-chained audit trail

Revision ID: c6ca6971a48c
Revises: c3a71e5d9b20
Create Date: 2026-12-03 08:24:46.101997
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'c6ca6971a48c'
down_revision = 'c3a71e5d9b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuers_audit_checkpoint',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('signed_at_us', sa.BigInteger(), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('issuers_audit_entry',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at_us', sa.BigInteger(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('agency_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('issuers_audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuers_audit_entry_agency_id'), ['agency_id'], unique=False)

    op.create_table('issuers_audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('checkpoint_seq', sa.BigInteger(), nullable=False),
    sa.Column('checkpoint_at_us', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('service_administrator',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('api_key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('api_key_hash')
    )
    op.create_table('verifiers_relying_party_registry_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('issuers_issued_credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('status_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))

    with op.batch_alter_table('issuers_operator', schema=None) as batch_op:
        # existing operators stay active
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))



def downgrade() -> None:
    with op.batch_alter_table('issuers_operator', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('issuers_issued_credential', schema=None) as batch_op:
        batch_op.drop_column('status_changed_by')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('status_note')
        batch_op.drop_column('status_reason')

    op.drop_table('verifiers_relying_party_registry_version')
    op.drop_table('service_administrator')
    op.drop_table('issuers_audit_head')
    with op.batch_alter_table('issuers_audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuers_audit_entry_agency_id'))

    op.drop_table('issuers_audit_entry')
    op.drop_table('issuers_audit_checkpoint')
