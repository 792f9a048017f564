"""Synthetic active seals for benchmarks: owners, businesses and seals made in set-based SQL.

One INSERT ... SELECT per table over a generated series, so a million seals take
seconds on PostgreSQL rather than the hours a row-at-a-time loop through the
service would. The seals are ordinary rows: the badge, the verification page,
the API and the registry serve them like any other. Never in production.
"""
from datetime import timezone

from sqlalchemy import text

from ..extensions import db
from .rules import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH

MAX_SEALS = 5_000_000
REBUILD_INDEX_FROM = 50_000  # seals in one call from which keys and indexes are rebuilt rather than kept

# (Persian, Latin) words the names and domains are built from, so searches meet a realistic spread.
WORDS = (
    ("کتاب", "book"), ("گل", "flower"), ("پوشاک", "wear"), ("کفش", "shoe"), ("دیجیتال", "digital"),
    ("خانه", "home"), ("آشپزخانه", "kitchen"), ("سفر", "travel"), ("ورزش", "sport"), ("اسباب‌بازی", "toy"),
    ("عطر", "perfume"), ("زیبایی", "beauty"), ("موبایل", "mobile"), ("رایانه", "computer"), ("فرش", "carpet"),
    ("چای", "tea"), ("قهوه", "coffee"), ("ادویه", "spice"), ("خشکبار", "nuts"), ("صنایع‌دستی", "handicraft"),
    ("نقره", "silver"), ("طلا", "gold"), ("ساعت", "watch"), ("عینک", "glasses"), ("کیف", "bag"),
    ("لوازم‌التحریر", "stationery"), ("دارو", "pharmacy"), ("ابزار", "tools"), ("باغ", "garden"), ("نان", "bakery"),
    ("میوه", "fruit"), ("عسل", "honey"),
)
CITIES = (("تهران", "tehran"), ("اصفهان", "isfahan"), ("شیراز", "shiraz"), ("تبریز", "tabriz"),
          ("مشهد", "mashhad"), ("کرمان", "kerman"), ("یزد", "yazd"), ("رشت", "rasht"), ("کیش", "kish"))
FIRST_NAMES = ("سارا", "علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "محمد", "نرگس", "امیر", "یاسمن", "کاوه")
LAST_NAMES = ("احمدی", "رضایی", "کریمی", "موسوی", "حسینی", "جعفری", "صادقی", "نوری", "کاظمی", "رحیمی", "یزدانی")


class SynthError(Exception):
    """Synthetic data cannot be made here; the message says why."""


def _values(rows):
    """A VALUES list of (k, a, b) rows with literals escaped for SQL, k counting from 0."""
    def quote(value):
        return "'" + value.replace("'", "''") + "'"

    return ", ".join(f"({k}, {', '.join(quote(v) for v in row)})" for k, row in enumerate(rows))


def _series(dialect, n):
    """A relation `series(i)` of 1..n."""
    if dialect == "postgresql":
        return f"series(i) AS (SELECT generate_series(1, {n}))"
    return f"series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series WHERE i < {n})"


def _random_below(dialect, n):
    if dialect == "postgresql":
        return f"floor(random() * {n})::int"
    return f"(abs(random()) % {n})"


def _public_id(dialect):
    """A SQL expression of a random public id: PUBLIC_ID_LENGTH letters of the public alphabet."""
    letter = f"substr('{PUBLIC_ID_ALPHABET}', 1 + {_random_below(dialect, len(PUBLIC_ID_ALPHABET))}, 1)"
    return " || ".join([letter] * PUBLIC_ID_LENGTH)


def _days_before(dialect, days_sql):
    """`:now` minus a number of days, as the column type stores it."""
    if dialect == "postgresql":
        return f"(CAST(:now AS timestamptz) - ({days_sql}) * interval '1 day')"
    return f"datetime(:now, '-' || ({days_sql}) || ' days')"


def _days_after(dialect, moment_sql, days):
    if dialect == "postgresql":
        return f"({moment_sql} + interval '{days} days')"
    return f"datetime({moment_sql}, '+{days} days')"


LOADED_TABLES = ("owners", "businesses", "seals")


def _drop_keys_and_indexes():
    """Drop the loaded tables' foreign keys, unique constraints and secondary indexes (primary keys stay);
    returns the statements that recreate them exactly, in order."""
    tables = ", ".join(f"'{table}'::regclass" for table in LOADED_TABLES)
    constraints = db.session.execute(text(
        f"SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid IN ({tables}) AND contype IN ('f', 'u') ORDER BY contype, conname")).all()
    indexes = db.session.execute(text(
        f"SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        f"WHERE i.indrelid IN ({tables}) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1")).all()
    # foreign keys first (they may lean on a unique constraint), then unique constraints, then indexes
    for table, name, _, _ in sorted(constraints, key=lambda row: row[2] != "f"):
        db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        db.session.execute(text(f"DROP INDEX {name}"))
    restore = [definition for _, definition in indexes]
    restore += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                for table, name, kind, definition in sorted(constraints, key=lambda row: row[2] == "f")]
    return restore


def _restore_keys_and_indexes(statements):
    db.session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))  # the trigram index builds in memory (35 s, not 42)
    for statement in statements:
        db.session.execute(text(statement))


def synthesize(count, *, now, validity_days=730, env="development"):
    """Add `count` active seals, each with its own owner and business; returns (first, last) seal row ids."""
    if env == "production":
        raise SynthError("synthetic seals are for benchmarks and demos; refusing to add them in production")
    if not 1 <= count <= MAX_SEALS:
        raise SynthError(f"the number of seals must be between 1 and {MAX_SEALS:,}")
    dialect = db.engine.dialect.name
    bases = db.session.execute(text(
        "SELECT (SELECT coalesce(max(id), 0) FROM owners), (SELECT coalesce(max(id), 0) FROM businesses), "
        "(SELECT coalesce(max(id), 0) FROM seals)")).one()
    owner_base, business_base, seal_base = bases
    n_words, n_cities = len(WORDS), len(CITIES)
    if dialect == "sqlite":
        stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    else:
        stamp = now
    params = {"now": stamp}
    # Maintaining every index and foreign-key check row by row is most of a big load's time: drop them
    # and build each once at the end, in this same transaction, from the definitions PostgreSQL holds.
    rebuilt = _drop_keys_and_indexes() if dialect == "postgresql" and count >= REBUILD_INDEX_FROM else None
    head = f"WITH RECURSIVE {_series(dialect, count)}"
    db.session.execute(text(
        f"{head}, firsts(k, name) AS (VALUES {', '.join(f'({k}, :first{k})' for k in range(len(FIRST_NAMES)))}), "
        f"lasts(k, name) AS (VALUES {', '.join(f'({k}, :last{k})' for k in range(len(LAST_NAMES)))}) "
        "INSERT INTO owners (id, kind, first_name, last_name, created_at) "
        f"SELECT {owner_base} + i, 'natural', firsts.name, lasts.name, {_days_before(dialect, 'i % 700 + 1')} "
        f"FROM series JOIN firsts ON firsts.k = i % {len(FIRST_NAMES)} "
        f"JOIN lasts ON lasts.k = (i / {len(FIRST_NAMES)}) % {len(LAST_NAMES)}"
    ), {**params, **{f"first{k}": v for k, v in enumerate(FIRST_NAMES)},
        **{f"last{k}": v for k, v in enumerate(LAST_NAMES)}})
    db.session.execute(text(
        f"{head}, words(k, fa, en) AS (VALUES {_values(WORDS)}), cities(k, fa, en) AS (VALUES {_values(CITIES)}) "
        "INSERT INTO businesses (id, owner_id, name_fa, name_en, domain, province, city, created_at) "
        f"SELECT {business_base} + i, {owner_base} + i, "
        "'فروشگاه ' || w1.fa || ' ' || w2.fa || ' ' || cities.fa || ' ' || i, "
        "w1.en || ' ' || w2.en || ' ' || cities.en || ' ' || i, "
        "w1.en || '-' || w2.en || '-' || i || '.synth.ir', cities.fa, cities.fa, "
        f"{_days_before(dialect, 'i % 700 + 1')} "
        f"FROM series JOIN words w1 ON w1.k = i % {n_words} "
        f"JOIN words w2 ON w2.k = (i / {n_words}) % {n_words} "
        f"JOIN cities ON cities.k = (i / 7) % {n_cities}"
    ), params)
    issued = _days_before(dialect, "i % 700")
    db.session.execute(text(
        f"{head} INSERT INTO seals (id, public_id, business_id, domain, kind, stars, status, serial, "
        "issued_at, expires_at, updated_at, reminders_muted) "
        f"SELECT {seal_base} + i, {_public_id(dialect)}, {business_base} + i, b.domain, "
        "CASE WHEN i % 10 = 0 THEN 'gray' ELSE 'standard' END, "
        "CASE WHEN i % 10 = 0 THEN 0 ELSE 1 + i % 5 END, 'active', 1, "
        f"{issued}, {_days_after(dialect, issued, validity_days)}, {issued}, false "
        f"FROM series JOIN businesses b ON b.id = {business_base} + i"
    ), params)
    if rebuilt is not None:
        _restore_keys_and_indexes(rebuilt)
    if dialect == "postgresql":
        for table in ("owners", "businesses", "seals"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    db.session.commit()
    if dialect == "postgresql":
        for table in ("owners", "businesses", "seals"):  # fresh statistics, or the planner guesses from empty tables
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
    return seal_base + 1, seal_base + count
