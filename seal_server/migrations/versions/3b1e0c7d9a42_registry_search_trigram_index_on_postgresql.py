"""registry search: a pg_trgm GIN index on the normalised names and domain (PostgreSQL only)

Revision ID: 3b1e0c7d9a42
Revises: cf5a8f1f7018
Create Date: 2026-11-30 12:00:00

SQLite has no trigram index; the registry searches it with the same LIKE, unindexed.
The expression must stay exactly seals.search.PG_SEARCH_TEXT, or PostgreSQL will not use it.
"""
from alembic import op

revision = '3b1e0c7d9a42'
down_revision = 'cf5a8f1f7018'
branch_labels = None
depends_on = None

SEARCH_FROM = "يىكةۀ\u200c" + "۰۱۲۳۴۵۶۷۸۹" + "٠١٢٣٤٥٦٧٨٩"
SEARCH_TO = "ییکهه " + "0123456789" * 2
EXPRESSION = ("translate(lower(businesses.name_fa || ' ' || businesses.name_en || ' ' || businesses.domain), "
              f"'{SEARCH_FROM}', '{SEARCH_TO}')")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_businesses_search_trgm ON businesses USING gin (({EXPRESSION}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_businesses_search_trgm")
