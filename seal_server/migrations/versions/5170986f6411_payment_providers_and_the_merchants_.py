"""payment providers (token digests) and the merchants each serves: gray reports and status reads need a binding

Revision ID: 5170986f6411
Revises: 675ae4bfe009
Create Date: 2026-11-30 14:11:30.668771

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5170986f6411'
down_revision = '675ae4bfe009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_digest')
    )
    op.create_table('provider_merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['payment_providers.id'], ),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'seal_id')
    )
    with op.batch_alter_table('provider_merchants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_merchants_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_merchants_seal_id'), ['seal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('provider_merchants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_merchants_seal_id'))
        batch_op.drop_index(batch_op.f('ix_provider_merchants_provider_id'))

    op.drop_table('provider_merchants')
    op.drop_table('payment_providers')
