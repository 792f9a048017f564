"""licences: the owner's scan, the staff's verdict and the expiry notice

Revision ID: c12a0b1e0001
Revises: 3b1e0c7d9a42
Create Date: 2026-11-30 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12a0b1e0001'
down_revision = '3b1e0c7d9a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('scan_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('expiry_notice_at', sa.DateTime(timezone=True), nullable=True))
    # licences entered by operators before staff verified anything were already published: they stay so
    op.execute("UPDATE licences SET status = 'verified'")


def downgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        for column in ('expiry_notice_at', 'decision_note', 'decided_by', 'decided_at', 'created_at', 'status',
                       'scan_type', 'scan_key'):
            batch_op.drop_column(column)
