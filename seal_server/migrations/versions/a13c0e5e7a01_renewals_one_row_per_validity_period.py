"""renewals: one row per validity period, settled by its invoice

Revision ID: a13c0e5e7a01
Revises: db408abf14f1
Create Date: 2026-11-30 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13c0e5e7a01'
down_revision = 'db408abf14f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('renewals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('old_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terms_version', sa.String(length=20), nullable=False),
    sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('held_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id'),
    sa.UniqueConstraint('seal_id', 'old_expires_at')
    )
    with op.batch_alter_table('renewals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_renewals_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_renewals_seal_id'), ['seal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_renewals_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('renewals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_renewals_status'))
        batch_op.drop_index(batch_op.f('ix_renewals_seal_id'))
        batch_op.drop_index(batch_op.f('ix_renewals_account_id'))
    op.drop_table('renewals')
