"""Sweep benchmark of the complaint clock: N open complaints whose first window has ended, moved by one tick.

Usage: .venv/bin/python bench/complaints_sweep.py --database postgresql+psycopg://... [--complaints 100000]
The database's schema is dropped and rebuilt. N complaints on N/2 seals (two each, so no seal reaches
the hold), plus 100 seals with five complaints each that do. The tick comes after two windows: the
sweep counts 2 x (N + 500) non-responses, one UPDATE per window, and adds 100 complaints holds. Prints the first sweep's time and a second (idempotent) sweep's time.
With --arbitrations M, M of those complaints are also in online arbitration with the shop's 72 hours over,
and the arbitration sweep (one UPDATE) is timed the same way.
"""
import argparse
import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import create_engine, insert, select, text

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--arbitrations", type=int, default=0)
    args = parser.parse_args()

    engine = create_engine(args.database)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()

    from flask_migrate import upgrade

    from seal_server import create_app
    from seal_server.accounts.models import Owner
    from seal_server.complaints import arbitration, service
    from seal_server.complaints.models import Arbitration, Complaint
    from seal_server.extensions import db
    from seal_server.seals import rules
    from seal_server.seals.models import Business, Seal, SealHold

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench-" * 8})
    with app.app_context():
        upgrade()
        owner = Owner(kind="natural", first_name="م", last_name="ا", national_code="0013542419")
        business = Business(owner=owner, name_fa="بنچ", name_en="bench", domain="bench.example")
        db.session.add(business)
        db.session.commit()
        plain, heavy = args.complaints // 2, 100
        seals = [{"public_id": rules.new_public_id(), "business_id": business.id, "domain": f"s{i}.example",
                  "kind": "standard", "stars": 1, "status": "active", "serial": 1, "issued_at": NOW,
                  "expires_at": NOW + timedelta(days=700), "updated_at": NOW, "reminders_muted": False}
                 for i in range(plain + heavy)]
        db.session.execute(insert(Seal), seals)
        ids = db.session.scalars(select(Seal.id).order_by(Seal.id)).all()
        confirmed = NOW - timedelta(hours=73)
        rows = []
        for index, seal_id in enumerate(ids):
            for n in range(2 if index < plain else 5):
                rows.append({"tracking_code": f"T{len(rows):09d}", "seal_id": seal_id, "mobile": "09351112233",
                             "paid_on": date(2026, 11, 1), "amount": 1_000_000, "payment_ref": f"{len(rows):06d}",
                             "card_last4": "1234", "description": "bench", "state": "open", "code_attempts": 0,
                             "filed_at": confirmed, "confirmed_at": confirmed,
                             "deadline_1": confirmed + timedelta(hours=72),
                             "deadline_2": confirmed + timedelta(hours=120),
                             "deadline_3": confirmed + timedelta(hours=144), "non_responses": 0})
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(Complaint), rows[start:start + 20_000])
        db.session.commit()
        if engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        later = confirmed + timedelta(hours=121)  # two windows ended: plain seals reach 4, heavy ones 10
        started = time.perf_counter()
        first = service.sweep(later)
        first_time = time.perf_counter() - started
        started = time.perf_counter()
        second = service.sweep(later)
        second_time = time.perf_counter() - started
        holds = db.session.scalar(select(db.func.count()).select_from(SealHold))
        print(f"complaints: {len(rows)} on {len(ids)} seals ({engine.dialect.name})")
        print(f"first sweep: {first_time:.2f} s, {first['non_responses']} non-responses, "
              f"{len(first['held'])} holds added ({holds} in the table)")
        print(f"second sweep: {second_time:.2f} s, {second['non_responses']} non-responses, "
              f"{len(second['held'])} holds added")
        if args.arbitrations:
            paid = later - timedelta(hours=73)
            complaint_ids = db.session.scalars(select(Complaint.id).order_by(Complaint.id)
                                               .limit(args.arbitrations)).all()
            db.session.execute(insert(Arbitration), [
                {"complaint_id": complaint_id, "state": "open", "fee": 200_000, "requested_at": paid,
                 "paid_at": paid, "shop_deadline": paid + timedelta(hours=72)} for complaint_id in complaint_ids])
            db.session.commit()
            timings = []
            for _ in range(2):
                started = time.perf_counter()
                timings.append((arbitration.sweep(later), time.perf_counter() - started))
            print(f"arbitrations: first sweep {timings[0][1]:.2f} s, {timings[0][0]} to rule; "
                  f"second sweep {timings[1][1]:.2f} s, {timings[1][0]} to rule")


if __name__ == "__main__":
    main()
