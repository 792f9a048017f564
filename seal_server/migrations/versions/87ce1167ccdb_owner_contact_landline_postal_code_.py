"""owner contact: landline, postal code, address

Revision ID: 87ce1167ccdb
Revises: 2860ec3d6d74
Create Date: 2026-11-23 19:45:45.551110

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '87ce1167ccdb'
down_revision = '2860ec3d6d74'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('landline', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('address', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('landline')

