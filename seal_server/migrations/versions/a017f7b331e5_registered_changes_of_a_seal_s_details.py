"""registered changes of a seal's details: one row per change (kind, old and new value, state, its check)

Revision ID: a017f7b331e5
Revises: 5170986f6411
Create Date: 2026-11-30 14:12:35.613642

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a017f7b331e5'
down_revision = '5170986f6411'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seal_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('open_key', sa.String(length=40), nullable=True),
    sa.Column('old_value', sa.JSON(), nullable=False),
    sa.Column('new_value', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_digest', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('codes_sent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('challenge_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['challenge_id'], ['domain_challenges.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id'),
    sa.UniqueConstraint('open_key')
    )
    with op.batch_alter_table('seal_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_changes_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_changes_seal_id'), ['seal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_changes_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('seal_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_changes_state'))
        batch_op.drop_index(batch_op.f('ix_seal_changes_seal_id'))
        batch_op.drop_index(batch_op.f('ix_seal_changes_account_id'))

    op.drop_table('seal_changes')
