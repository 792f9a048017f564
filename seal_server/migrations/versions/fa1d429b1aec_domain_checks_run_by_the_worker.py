"""domain checks run by the worker: a queued or running check holds one of its account's slots

Revision ID: fa1d429b1aec
Revises: 675ae4bfe009
Create Date: 2026-11-30 14:10:14.298123

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fa1d429b1aec'
down_revision = '675ae4bfe009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('domain_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=True),
    sa.Column('variables', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['challenge_id'], ['domain_challenges.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'slot')
    )
    with op.batch_alter_table('domain_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_checks_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_checks_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('domain_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_checks_state'))
        batch_op.drop_index(batch_op.f('ix_domain_checks_application_id'))

    op.drop_table('domain_checks')
