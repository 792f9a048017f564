"""account recovery requests: the holder of a national code taken by another mobile

Revision ID: a3c9e1f0b7d2
Revises: cf5a8f1f7018
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c9e1f0b7d2'
down_revision = 'cf5a8f1f7018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_recovery_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_code', sa.String(length=10), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_recovery_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_recovery_requests_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_recovery_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_recovery_requests_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_recovery_requests_national_code'), ['national_code'], unique=False)


def downgrade():
    with op.batch_alter_table('account_recovery_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_recovery_requests_national_code'))
        batch_op.drop_index(batch_op.f('ix_account_recovery_requests_ip'))
        batch_op.drop_index(batch_op.f('ix_account_recovery_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_account_recovery_requests_account_id'))
    op.drop_table('account_recovery_requests')
