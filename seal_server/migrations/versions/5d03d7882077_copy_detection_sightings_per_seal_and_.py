"""copy detection: sightings per seal and foreign host, and the Redis batches already added

copy_sightings: count, first and last seen, and the one fake-seal report raised; copy_batches: the ids of
batches drained from Redis, so a retried batch adds nothing.

Revision ID: 5d03d7882077
Revises: e06a23881350
Create Date: 2026-11-30 14:11:38.661717

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d03d7882077'
down_revision = 'e06a23881350'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('copy_batches',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('flushed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('copy_sightings',
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['violation_reports.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('seal_id', 'host')
    )
    with op.batch_alter_table('copy_sightings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copy_sightings_count'), ['count'], unique=False)



def downgrade():
    with op.batch_alter_table('copy_sightings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copy_sightings_count'))

    op.drop_table('copy_sightings')
    op.drop_table('copy_batches')
