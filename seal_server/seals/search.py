"""The public registry's search: active seals by domain or name, newest first, a page at a time.

No page view costs more as the table grows: pages follow the business id (keyset, never
OFFSET) and the count stops at COUNT_CAP. On PostgreSQL a search reads
`businesses.search_text`, a generated column holding the names and domain normalised like
`iran.text.normalize_for_search`, in two bounded steps: first the newest WINDOW businesses
below the page start, where a common word fills a page at once; when it does not, the
pg_trgm GIN index, which is quick exactly when matches are few. SQLite, the embedded default
for small authorities, runs one plain query with the same normalisation.
"""
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..iran.text import SEARCH_FROM, SEARCH_TO, normalize_for_search
from .models import ACTIVE, Business, Seal

PER_PAGE = 20
COUNT_CAP = 100
WINDOW = 5_000  # businesses read by the first step of a PostgreSQL search
MIN_QUERY = 3  # a trigram index cannot narrow a shorter substring: it would read every row
# Made by migration 3b1e0c7d9a42 on PostgreSQL only; the models do not declare them.
DATABASE_ONLY = frozenset({"ix_businesses_search_trgm", "search_text"})


@dataclass(frozen=True)
class RegistryPage:
    items: list
    count: int  # matches, counted up to a cap
    capped: bool  # there are more than `count`
    next_after: int | None  # the `after` of the next page, None on the last one
    too_short: bool = False  # the query was too short to search


def _sqlite_search_text():
    expression = func.lower(Business.name_fa + " " + Business.name_en + " " + Business.domain)
    for old, new in zip(SEARCH_FROM, SEARCH_TO):
        expression = func.replace(expression, old, new)
    return expression


def _like_pattern(query):
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _page(conditions, per_page):
    page = (select(Seal).join(Seal.business).options(contains_eager(Seal.business)).where(*conditions)
            .order_by(Business.id.desc()).limit(per_page + 1))
    items = db.session.scalars(page).all()
    next_after = items[per_page - 1].business_id if len(items) > per_page else None
    return items[:per_page], next_after


def search_registry(query, *, now, after=None, per_page=None):
    """A page of active, unexpired seals matching `query` (any spelling SEARCH_FROM covers), newest first."""
    per_page = per_page or PER_PAGE
    query = normalize_for_search(query)
    if 0 < len(query) < MIN_QUERY:
        return RegistryPage([], 0, False, None, too_short=True)
    conditions = [Seal.status == ACTIVE, Seal.expires_at > now]
    if after is not None:
        conditions.append(Business.id < after)
    if query and db.engine.dialect.name == "postgresql":
        pattern = _like_pattern(query)
        matches = literal_column("businesses.search_text").like(pattern, escape="\\")
        # the same test written so the trigram index cannot serve it: the window is read by id, newest first
        scanned = literal_column("(businesses.search_text || '')").like(pattern, escape="\\")
        top = after if after is not None else (db.session.scalar(select(func.max(Business.id))) or 0) + 1
        items, next_after = _page(conditions + [scanned, Business.id >= top - WINDOW], per_page)
        if next_after is not None:  # a common word: a page from the newest businesses, and no count
            return RegistryPage(items, per_page, True, next_after)
        conditions.append(matches)
    elif query:
        conditions.append(_sqlite_search_text().like(_like_pattern(query), escape="\\"))
    # One read of the matches (through the trigram index on PostgreSQL) gives the count and, when they
    # are few, the page too: sorting a hundred ids here beats a second index read or a walk down the
    # primary key past every non-match (measured in bench/README.md, "registry").
    found = db.session.execute(select(Business.id, Seal.id).join(Seal, Seal.business_id == Business.id)
                               .where(*conditions).limit(COUNT_CAP + 1)).all()
    if len(found) > COUNT_CAP:
        items, next_after = _page(conditions, per_page)
        return RegistryPage(items, COUNT_CAP, True, next_after)
    newest = sorted(found, reverse=True)[:per_page + 1]
    items = db.session.scalars(
        select(Seal).join(Seal.business).options(contains_eager(Seal.business))
        .where(Seal.id.in_([seal_id for _, seal_id in newest])).order_by(Business.id.desc(), Seal.id.desc())).all() \
        if newest else []
    next_after = items[per_page - 1].business_id if len(items) > per_page else None
    return RegistryPage(items[:per_page], len(found), False, next_after)


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic's include_object hook: leave DATABASE_ONLY objects alone."""
    return not (reflected and compare_to is None and name in DATABASE_ONLY)
