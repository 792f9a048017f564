"""domain checks run by the worker: a queued or running check holds one of its account's slots;
registry search column computed without translate() for rows that need no folding (PostgreSQL)

Revision ID: fa1d429b1aec
Revises: 5d03d7882077
Create Date: 2026-11-30 14:10:14.298123

businesses.search_text (migration 3b1e0c7d9a42) called translate() on every write; with multibyte
text it costs about 20 us a row, most of a million-row load. The same value is now computed as
lower() alone when the text holds none of the characters folded (Arabic yeh and kaf, teh marbuta,
heh with yeh, ZWNJ, Persian and Arabic digits), and with translate() as before when it does.
PostgreSQL 15 cannot change a generated column's expression in place: the column and its
trigram index are dropped and made again (a rewrite of the table, once).
"""
from alembic import op
import sqlalchemy as sa

# iran.text.SEARCH_FROM / SEARCH_TO as they were when this migration was written
SEARCH_FROM = "يىكةۀ\u200c" + "۰۱۲۳۴۵۶۷۸۹" + "٠١٢٣٤٥٦٧٨٩"
SEARCH_TO = "ییکهه " + "0123456789" * 2
TEXT = "name_fa || ' ' || name_en || ' ' || domain"
TRANSLATED = f"translate(lower({TEXT}), '{SEARCH_FROM}', '{SEARCH_TO}')"
FAST = f"CASE WHEN ({TEXT}) ~ '[{SEARCH_FROM}]' THEN {TRANSLATED} ELSE lower({TEXT}) END"


def _search_column(expression):
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_businesses_search_trgm")
    op.execute("ALTER TABLE businesses DROP COLUMN IF EXISTS search_text")
    op.execute(f"ALTER TABLE businesses ADD COLUMN search_text text GENERATED ALWAYS AS ({expression}) STORED")
    op.execute("CREATE INDEX ix_businesses_search_trgm ON businesses USING gin (search_text gin_trgm_ops)")


# revision identifiers, used by Alembic.
revision = 'fa1d429b1aec'
down_revision = '5d03d7882077'
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
    _search_column(FAST)



def downgrade():
    _search_column(TRANSLATED)
    with op.batch_alter_table('domain_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_checks_state'))
        batch_op.drop_index(batch_op.f('ix_domain_checks_application_id'))

    op.drop_table('domain_checks')
