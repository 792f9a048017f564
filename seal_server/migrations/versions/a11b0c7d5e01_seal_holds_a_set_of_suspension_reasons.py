"""seal holds: a set of suspension reasons per seal

Revision ID: a11b0c7d5e01
Revises: c5e8a0d3f4b1
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11b0c7d5e01'
down_revision = 'c5e8a0d3f4b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seal_id', 'reason')
    )
    with op.batch_alter_table('seal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_holds_seal_id'), ['seal_id'], unique=False)
    # seals suspended before holds existed: the clock's second-year suspensions, else staff's by hand
    op.execute("INSERT INTO seal_holds (seal_id, reason, note, added_at) "
               "SELECT id, CASE WHEN status_reason = 'second-year fee unpaid' THEN 'second-year' ELSE 'staff' END, "
               "status_reason, updated_at FROM seals WHERE status = 'suspended'")


def downgrade():
    with op.batch_alter_table('seal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_holds_seal_id'))
    op.drop_table('seal_holds')
