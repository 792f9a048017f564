"""cancellations requested by owners, with their documents and the staff decision

Revision ID: a13c0e5e7a02
Revises: a13c0e5e7a01
Create Date: 2026-11-30 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13c0e5e7a02'
down_revision = 'a13c0e5e7a01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cancellations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('id_copy_key', sa.String(length=40), nullable=False),
    sa.Column('id_copy_type', sa.String(length=40), nullable=False),
    sa.Column('letter_key', sa.String(length=40), nullable=False),
    sa.Column('letter_type', sa.String(length=40), nullable=False),
    sa.Column('legal_person', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cancellations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellations_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellations_seal_id'), ['seal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellations_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('cancellations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cancellations_status'))
        batch_op.drop_index(batch_op.f('ix_cancellations_seal_id'))
        batch_op.drop_index(batch_op.f('ix_cancellations_account_id'))
    op.drop_table('cancellations')
