"""The public registry's search: active seals by domain or name, newest first, a page at a time.

No page view costs more as the table grows: pages follow the seal id (keyset, never
OFFSET), the count stops at COUNT_CAP, and a search matches a normalised text of the
business's names and domain with LIKE, which PostgreSQL answers from a pg_trgm GIN index
on exactly that expression (migration 3b1e0c7d9a42). SQLite, the embedded default for small
authorities, runs the same query without the index.
"""
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..iran.text import SEARCH_FROM, SEARCH_TO, normalize_for_search
from .models import ACTIVE, Business, Seal

PER_PAGE = 20
COUNT_CAP = 1000
MIN_QUERY = 3  # a trigram index cannot narrow a shorter substring: it would read every row
# Keep in step with the migration that indexes it: PostgreSQL uses the index only for this exact expression.
PG_SEARCH_TEXT = ("translate(lower(businesses.name_fa || ' ' || businesses.name_en || ' ' || businesses.domain), "
                  f"'{SEARCH_FROM}', '{SEARCH_TO}')")


@dataclass(frozen=True)
class RegistryPage:
    items: list
    count: int  # matches, counted up to COUNT_CAP
    capped: bool  # there are more than COUNT_CAP
    next_after: int | None  # the `after` of the next page, None on the last one
    too_short: bool = False  # the query was too short to search


def _search_text(dialect):
    if dialect == "postgresql":
        return literal_column(PG_SEARCH_TEXT)
    expression = func.lower(Business.name_fa + " " + Business.name_en + " " + Business.domain)
    for old, new in zip(SEARCH_FROM, SEARCH_TO):
        expression = func.replace(expression, old, new)
    return expression


def _like_pattern(query):
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_registry(query, *, now, after=None, per_page=PER_PAGE):
    """A page of active, unexpired seals matching `query` (any spelling SEARCH_FROM covers), newest first."""
    query = normalize_for_search(query)
    if 0 < len(query) < MIN_QUERY:
        return RegistryPage([], 0, False, None, too_short=True)
    conditions = [Seal.status == ACTIVE, Seal.expires_at > now]
    if query:
        conditions.append(_search_text(db.engine.dialect.name).like(_like_pattern(query), escape="\\"))
    matching = select(Seal.id).join(Business, Seal.business_id == Business.id).where(*conditions)
    count = db.session.scalar(select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery()))
    page = select(Seal).join(Seal.business).options(contains_eager(Seal.business)).where(*conditions)
    if after is not None:
        page = page.where(Seal.id < after)
    items = db.session.scalars(page.order_by(Seal.id.desc()).limit(per_page + 1)).all()
    next_after = items[per_page - 1].id if len(items) > per_page else None
    return RegistryPage(items[:per_page], min(count, COUNT_CAP), count > COUNT_CAP, next_after)


# Indexes that exist only in the database (PostgreSQL expression indexes the models cannot describe
# on every dialect); autogenerate must neither drop them nor report them.
DATABASE_ONLY_INDEXES = frozenset({"ix_businesses_search_trgm"})


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic's include_object hook: skip DATABASE_ONLY_INDEXES."""
    return not (type_ == "index" and reflected and name in DATABASE_ONLY_INDEXES)
