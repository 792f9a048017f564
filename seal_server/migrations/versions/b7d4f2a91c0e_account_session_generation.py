"""accounts: session generation, so signing out ends every copy of a session

Revision ID: b7d4f2a91c0e
Revises: a3c9e1f0b7d2
Create Date: 2026-11-30 11:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d4f2a91c0e'
down_revision = 'a3c9e1f0b7d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
