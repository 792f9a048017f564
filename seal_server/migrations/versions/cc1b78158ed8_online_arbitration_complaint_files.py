"""online arbitration, complaint files, invoices payable by a complaint's buyer

Revision ID: cc1b78158ed8
Revises: a017f7b331e5
Create Date: 2026-11-30 14:12:16.672175

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cc1b78158ed8'
down_revision = 'a017f7b331e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('arbitrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shop_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settlement', sa.Text(), nullable=True),
    sa.Column('settlement_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=True),
    sa.Column('award', sa.BigInteger(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('ruled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ruled_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['ruled_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('complaint_id')
    )
    with op.batch_alter_table('arbitrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arbitrations_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arbitrations_shop_deadline'), ['shop_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_arbitrations_state'), ['state'], unique=False)

    op.create_table('arbitration_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arbitration_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['arbitration_id'], ['arbitrations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('arbitration_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arbitration_evidence_arbitration_id'), ['arbitration_id'], unique=False)

    op.create_table('complaint_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=5), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.ForeignKeyConstraint(['evidence_id'], ['arbitration_evidence.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_files_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_files_evidence_id'), ['evidence_id'], unique=False)

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_id', sa.Integer(), nullable=True))
        batch_op.alter_column('account_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_invoices_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_foreign_key('fk_invoices_complaint_id_complaints', 'complaints', ['complaint_id'], ['id'])
        # who pays: an owner's account, or a complaint's buyer (an arbitration fee; buyers have no account)
        batch_op.create_check_constraint('ck_invoices_payer', 'account_id IS NOT NULL OR complaint_id IS NOT NULL')



def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint('ck_invoices_payer', type_='check')
        batch_op.drop_constraint('fk_invoices_complaint_id_complaints', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoices_complaint_id'))
        batch_op.alter_column('account_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('complaint_id')

    with op.batch_alter_table('complaint_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_files_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_files_complaint_id'))

    op.drop_table('complaint_files')
    with op.batch_alter_table('arbitration_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arbitration_evidence_arbitration_id'))

    op.drop_table('arbitration_evidence')
    with op.batch_alter_table('arbitrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arbitrations_state'))
        batch_op.drop_index(batch_op.f('ix_arbitrations_shop_deadline'))
        batch_op.drop_index(batch_op.f('ix_arbitrations_invoice_id'))

    op.drop_table('arbitrations')
