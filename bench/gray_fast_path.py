"""Submission to gray seal: how long the fast path takes with the sandbox background checks.

Builds ready gray applications in a temporary SQLite database and times `issuance.submit`
(the submit button's work: steps, checks, approval, seal) for each, then one clock tick for
an application whose check timed out at submission. Prints JSON; not run by CI.

    .venv/bin/python bench/gray_fast_path.py [--count 20]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _ready_application(db, now, index):
    from seal_server.accounts.models import NATURAL, Account, Owner
    from seal_server.iran.identifiers import national_code_check_digit
    from seal_server.onboarding import service, terms

    first_nine = f"{100000000 + index:09d}"
    code = first_nine + str(national_code_check_digit(first_nine))
    account = Account(national_code=code, mobile=f"0912{index:07d}", created_at=now)
    db.session.add(account)
    db.session.flush()
    application = service.open_application(account, now)
    application.owner = Owner(kind=NATURAL, first_name="مریم", last_name="احمدی", father_name="علی", gender="female",
                              birth_date=date(1990, 1, 1), national_code=code, mobile=account.mobile,
                              account_id=account.id, created_at=now)
    application.seal_kind, application.domain = "gray", f"shop{index}.example"
    application.name_fa, application.name_en, application.category = "فروشگاه", "Shop", "general"
    application.sales_method, application.owns_domain_declared_at = "direct", now
    application.domain_verified_at, application.domain_verified_by = now, "meta"
    application.terms_version, application.terms_accepted_at = terms.current()["version"], now
    db.session.commit()
    return application


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    from seal_server import create_app
    from seal_server.clock import utcnow
    from seal_server.extensions import db
    from seal_server.integrations import checks
    from seal_server.onboarding import issuance
    from seal_server.tasks import tick

    folder = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "SEAL_BASE_URL": "http://b"})
    timings = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        for index in range(args.count):
            application = _ready_application(db, utcnow(), index)
            started = time.perf_counter()
            issuance.submit(application, utcnow())
            timings.append(time.perf_counter() - started)
            assert application.status == "approved", application.status
        checks.set_sandbox_outcome("mobile", "timeout", "", now=utcnow())
        db.session.commit()
        late = _ready_application(db, utcnow(), args.count)
        started = time.perf_counter()
        issuance.submit(late, utcnow())
        checks.set_sandbox_outcome("mobile", "pass", "", now=utcnow())
        db.session.commit()
        tick(utcnow())  # the clock runs every minute (Procfile): add up to 60 s to this figure
        db.session.refresh(late)
        assert late.status == "approved", late.status
        with_tick = time.perf_counter() - started
    print(json.dumps({"applications": args.count, "submit_to_seal_median_s": round(statistics.median(timings), 4),
                      "submit_to_seal_max_s": round(max(timings), 4),
                      "timed_out_check_then_one_tick_s": round(with_tick, 4)}))


if __name__ == "__main__":
    main()
