"""ownership transfers, upgrades and held renewals decided by staff

Applications gain a purpose (a new seal, a transfer of an existing seal, an upgrade of one) and the
seal they concern; seal_transfers records each offer from the owner to a named new owner; renewals
held for a reviewer record the reviewer's decision.

Revision ID: e06a23881350
Revises: cc1b78158ed8
Create Date: 2026-11-30 14:11:49.474933

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e06a23881350'
down_revision = 'cc1b78158ed8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seal_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('from_owner_id', sa.Integer(), nullable=False),
    sa.Column('to_national_code', sa.String(length=10), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=10), nullable=True),
    sa.Column('end_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['from_account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['from_owner_id'], ['owners.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.ForeignKeyConstraint(['to_account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id')
    )
    with op.batch_alter_table('seal_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_transfers_from_account_id'), ['from_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_transfers_seal_id'), ['seal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_transfers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_transfers_to_account_id'), ['to_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_transfers_to_national_code'), ['to_national_code'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=10), server_default='seal', nullable=False))
        batch_op.add_column(sa.Column('seal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_seal_id'), ['seal_id'], unique=False)
        batch_op.create_foreign_key('fk_applications_seal_id_seals', 'seals', ['seal_id'], ['id'])

    with op.batch_alter_table('renewals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key('fk_renewals_decided_by_staff', 'staff', ['decided_by'], ['id'])



def downgrade():
    with op.batch_alter_table('renewals', schema=None) as batch_op:
        batch_op.drop_constraint('fk_renewals_decided_by_staff', type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('decided_at')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_applications_seal_id_seals', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_seal_id'))
        batch_op.drop_column('seal_id')
        batch_op.drop_column('purpose')

    with op.batch_alter_table('seal_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_transfers_to_national_code'))
        batch_op.drop_index(batch_op.f('ix_seal_transfers_to_account_id'))
        batch_op.drop_index(batch_op.f('ix_seal_transfers_status'))
        batch_op.drop_index(batch_op.f('ix_seal_transfers_seal_id'))
        batch_op.drop_index(batch_op.f('ix_seal_transfers_from_account_id'))

    op.drop_table('seal_transfers')
