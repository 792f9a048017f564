"""copy sightings indexed by last seen, for pruning: tick deletes small sightings last seen more than
SEAL_COPY_RETENTION_DAYS ago, and finds them by this index rather than reading the whole table

Revision ID: 31357bafa411
Revises: b7e5c2a91f04
Create Date: 2026-11-30 15:43:52.847525

"""
from alembic import op

revision = '31357bafa411'
down_revision = 'b7e5c2a91f04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('copy_sightings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copy_sightings_last_seen'), ['last_seen'], unique=False)


def downgrade():
    with op.batch_alter_table('copy_sightings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copy_sightings_last_seen'))
