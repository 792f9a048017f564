"""background checks: registry answers per application, sandbox outcomes

Revision ID: cf5a8f1f7018
Revises: e342df0c3df8
Create Date: 2026-11-30 11:06:04.887680

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cf5a8f1f7018'
down_revision = 'e342df0c3df8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sandbox_check_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=253), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'subject')
    )
    op.create_table('background_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overridden_by', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['overridden_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'kind')
    )
    with op.batch_alter_table('background_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_checks_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_checks_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('background_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_checks_status'))
        batch_op.drop_index(batch_op.f('ix_background_checks_application_id'))

    op.drop_table('background_checks')
    op.drop_table('sandbox_check_outcomes')
