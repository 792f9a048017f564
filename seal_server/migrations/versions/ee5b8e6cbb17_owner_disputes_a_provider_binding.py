"""An owner disputes a payment provider's binding of their seal: the row stays, marked disputed.

Revision ID: ee5b8e6cbb17
Revises: 31357bafa411
Create Date: 2026-11-30 15:40:36.980275

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ee5b8e6cbb17'
down_revision = '31357bafa411'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider_merchants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disputed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disputed_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_provider_merchants_disputed_by_accounts', 'accounts', ['disputed_by'], ['id'])


def downgrade():
    with op.batch_alter_table('provider_merchants', schema=None) as batch_op:
        batch_op.drop_constraint('fk_provider_merchants_disputed_by_accounts', type_='foreignkey')
        batch_op.drop_column('disputed_by')
        batch_op.drop_column('disputed_at')
