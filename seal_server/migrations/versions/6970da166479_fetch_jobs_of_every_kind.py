"""fetch jobs of every kind: a registered domain change's proof and a reviewer's HTTPS check join onboarding's
domain checks on the worker (a kind and a subject on the job row; staff members hold slots like accounts)

Revision ID: 6970da166479
Revises: fa1d429b1aec
Create Date: 2026-11-30 15:10:35.379405

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6970da166479'
down_revision = 'fa1d429b1aec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('domain_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='onboarding', nullable=False))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.alter_column('application_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column('challenge_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column('account_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint('uq_domain_checks_staff_id_slot', ['staff_id', 'slot'])
        batch_op.create_foreign_key('fk_domain_checks_staff_id_staff', 'staff', ['staff_id'], ['id'])


def downgrade():
    # the jobs the older schema cannot hold (changes' proofs and HTTPS checks) go; onboarding's stay
    op.execute("DELETE FROM domain_checks WHERE kind <> 'onboarding'")
    with op.batch_alter_table('domain_checks', schema=None) as batch_op:
        batch_op.drop_constraint('fk_domain_checks_staff_id_staff', type_='foreignkey')
        batch_op.drop_constraint('uq_domain_checks_staff_id_slot', type_='unique')
        batch_op.alter_column('account_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('challenge_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('application_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('staff_id')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('kind')
