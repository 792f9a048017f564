"""accounts, one-time codes, outbox

Revision ID: 8f47e1dd6051
Revises: 21c15056b643
Create Date: 2026-11-23 19:20:45.301899

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f47e1dd6051'
down_revision = '21c15056b643'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_code', sa.String(length=10), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_staff', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('national_code')
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_mobile'), ['mobile'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('provider_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_recipient'), ['recipient'], unique=False)

    op.create_table('otp_challenges',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('national_code', sa.String(length=10), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('otp_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otp_challenges_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_otp_challenges_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_otp_challenges_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_otp_challenges_mobile'), ['mobile'], unique=False)
        batch_op.create_index(batch_op.f('ix_otp_challenges_national_code'), ['national_code'], unique=False)

    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ceo_name', sa.String(length=160), nullable=True))
        batch_op.create_index(batch_op.f('ix_owners_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key('fk_owners_account_id_accounts', 'accounts', ['account_id'], ['id'])



def downgrade():
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_constraint('fk_owners_account_id_accounts', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_owners_account_id'))
        batch_op.drop_column('ceo_name')
        batch_op.drop_column('account_id')

    with op.batch_alter_table('otp_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_otp_challenges_national_code'))
        batch_op.drop_index(batch_op.f('ix_otp_challenges_mobile'))
        batch_op.drop_index(batch_op.f('ix_otp_challenges_ip'))
        batch_op.drop_index(batch_op.f('ix_otp_challenges_created_at'))
        batch_op.drop_index(batch_op.f('ix_otp_challenges_account_id'))

    op.drop_table('otp_challenges')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_recipient'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_created_at'))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_mobile'))

    op.drop_table('accounts')
