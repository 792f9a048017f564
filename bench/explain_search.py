"""Registry searches that are not in memory, timed in-process and optionally explained statement by statement.

  .venv/bin/python bench/explain_search.py --database-url postgresql+psycopg://... [--explain] "honey tea" 4242

Each query runs three times (the first reads cold pages); --explain prints EXPLAIN (ANALYZE, BUFFERS)
of every statement the last run sent.
"""
import argparse
import time

from sqlalchemy import event

from seal_server import create_app
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.seals.search import search_registry

DEFAULT = ["honey tea", "4242", "zzzqqq", "honey-tea-4242", "قهوه عسل اصفهان"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("queries", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        statements = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def grab(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        for query in args.queries:
            times = []
            for _ in range(3):
                statements.clear()
                started = time.perf_counter()
                page = search_registry(query, now=utcnow())
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            print(f"{query!r}: count {page.count}{'+' if page.capped else ''}; ms {', '.join(f'{t:.1f}' for t in times)}")
            if args.explain:
                for statement, parameters in list(statements):
                    with db.engine.connect() as connection:
                        cursor = connection.connection.driver_connection.cursor()
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        print("\n".join(row[0] for row in cursor.fetchall()), "\n----")


if __name__ == "__main__":
    main()
