"""registry search: a normalised search column with a pg_trgm GIN index (PostgreSQL only)

Revision ID: 3b1e0c7d9a42
Revises: a13c0e5e7a02
Create Date: 2026-11-30 12:00:00

businesses.search_text is a stored generated column: PostgreSQL computes it on every write,
whoever writes, so no code path can forget it. SQLite has neither; the registry searches it
with the same normalisation written as a plain expression, unindexed. The models do not
declare the column or the index (seals.search.DATABASE_ONLY names them for autogenerate).
"""
from alembic import op

revision = '3b1e0c7d9a42'
down_revision = 'a13c0e5e7a02'
branch_labels = None
depends_on = None

# iran.text.SEARCH_FROM / SEARCH_TO as they were when this migration was written
SEARCH_FROM = "يىكةۀ\u200c" + "۰۱۲۳۴۵۶۷۸۹" + "٠١٢٣٤٥٦٧٨٩"
SEARCH_TO = "ییکهه " + "0123456789" * 2
EXPRESSION = f"translate(lower(name_fa || ' ' || name_en || ' ' || domain), '{SEARCH_FROM}', '{SEARCH_TO}')"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"ALTER TABLE businesses ADD COLUMN search_text text GENERATED ALWAYS AS ({EXPRESSION}) STORED")
    op.execute("CREATE INDEX ix_businesses_search_trgm ON businesses USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_businesses_search_trgm")
    op.execute("ALTER TABLE businesses DROP COLUMN IF EXISTS search_text")
