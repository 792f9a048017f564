"""Background checks on submission (sandbox registries set from the console), overrides, and the gray fast path."""

import pytest
from sqlalchemy import select

from seal_server.audit import AuditEvent
from seal_server.extensions import db
from seal_server.integrations import checks
from seal_server.integrations.models import BackgroundCheck
from seal_server.onboarding import issuance
from seal_server.onboarding.models import Application
from seal_server.tasks import tick
from tests.accounts.conftest import MOBILE, NATIONAL_CODE, csrf_from
from tests.onboarding.conftest import BUSINESS, NATURAL, new_application, owner  # noqa: F401  (a fixture)
from tests.onboarding.payflow import walk_to_submitted

GRAY = dict(BUSINESS, seal_kind="gray")


def _set(client, check, outcome, subject=""):
    token = csrf_from(client.get("/staff/checks"))
    return client.post("/staff/checks", data={"csrf_token": token, "check": check, "outcome": outcome,
                                              "subject": subject})


def _tick(app, now):
    with app.app_context():
        return tick(now)


def _status(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        rows = {row.kind: row.status for row in checks.checks_of(application)}
        return application.status, rows


def test_a_gray_seal_is_issued_at_once_when_every_check_passes(app, owner):
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, GRAY, postal=False)
    status, rows = _status(app, application_id)
    assert status == "approved" and rows == {"police": "passed", "mobile": "passed", "civil": "passed"}


def test_a_failed_check_sends_a_gray_application_to_the_queue_and_blocks_approval(app, owner, staff_client, clock):
    support, _ = staff_client("support")
    assert _set(support, "police", "fail", NATIONAL_CODE).status_code == 302
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, GRAY, postal=False)
    assert _status(app, application_id) == ("submitted", {"police": "failed", "mobile": "passed", "civil": "passed"})
    _tick(app, clock.now)
    assert _status(app, application_id)[0] == "submitted"  # the clock does not approve it either
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get(f"/staff/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "Cyber police record" in page and "sandbox-police-" in page
    token = csrf_from(reviewer.get("/staff"))
    refused = reviewer.post(f"/staff/applications/{application_id}/approve?lang=en", data={"csrf_token": token})
    assert refused.status_code == 400 and "background check" in refused.get_data(as_text=True)
    with app.app_context():
        check_id = db.session.scalar(select(BackgroundCheck.id).where(BackgroundCheck.kind == "police"))
    path = f"/staff/applications/{application_id}/checks/{check_id}/override"
    assert reviewer.post(path, data={"csrf_token": token, "reason": "long enough reason"}).status_code == 403
    supervisor, _ = staff_client("supervisor")
    token = csrf_from(supervisor.get("/staff"))
    assert supervisor.post(path + "?lang=en", data={"csrf_token": token, "reason": ""}).status_code == 400
    reason = "سابقه مربوط به شخص دیگری با نام مشابه است"
    assert supervisor.post(path, data={"csrf_token": token, "reason": reason}).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "check.overridden"))
        assert row.reason == reason and row.subject_id == application_id
    assert reviewer.post(f"/staff/applications/{application_id}/approve",
                         data={"csrf_token": csrf_from(reviewer.get("/staff"))}).status_code == 302
    assert _status(app, application_id)[0] == "approved"


def test_a_timed_out_check_is_asked_again_by_the_clock(app, owner, staff_client, clock):
    support, _ = staff_client("support")
    _set(support, "mobile", "timeout")
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, GRAY, postal=False)
    assert _status(app, application_id) == ("submitted", {"police": "passed", "mobile": "timed_out",
                                                          "civil": "passed"})
    _tick(app, clock.now)
    assert _status(app, application_id)[1]["mobile"] == "timed_out"
    _set(support, "mobile", "pass")
    result = _tick(app, clock.now)
    assert len(result["checks_answered"]) == 1 and result["gray_approved"] == [application_id]
    assert _status(app, application_id) == ("approved", {"police": "passed", "mobile": "passed", "civil": "passed"})


def test_a_ten_year_old_gets_no_gray_seal_without_a_court_ruling(app, owner):
    application_id = new_application(owner)
    child = dict(NATURAL, birth_date="۱۳۹۵/۰۱/۱۰")
    walk_to_submitted(app, owner, application_id, GRAY, postal=False, identity=child)
    assert _status(app, application_id)[0] == "submitted"
    with app.app_context():
        assert not issuance.fast_path_allows(db.session.get(Application, application_id), clock_now())
        assert issuance.approve_waiting_gray(clock_now()) == []


def clock_now():
    from seal_server.clock import utcnow

    return utcnow()


def test_owns_mobile_asks_the_sandbox_registry(app, staff_client, clock):
    support, _ = staff_client("support")
    with app.app_context():
        assert checks.owns_mobile(NATIONAL_CODE, MOBILE, now=clock.now).passed
    _set(support, "mobile", "fail", NATIONAL_CODE)
    with app.app_context():
        assert not checks.owns_mobile(NATIONAL_CODE, MOBILE, now=clock.now).passed
        assert checks.owns_mobile("0084575948", MOBILE, now=clock.now).passed
    _set(support, "mobile", "timeout")
    with app.app_context(), pytest.raises(checks.CheckTimeout):
        checks.owns_mobile("0084575948", MOBILE, now=clock.now)


def test_only_support_and_admin_set_the_sandbox(app, staff_client):
    reviewer, _ = staff_client("reviewer")
    assert reviewer.get("/staff/checks").status_code == 403
    admin, _ = staff_client("admin")
    bad = admin.post("/staff/checks", data={"csrf_token": csrf_from(admin.get("/staff/checks")),
                                            "check": "astrology", "outcome": "pass"})
    assert bad.status_code == 400


def test_staff_see_gray_seals_over_their_monthly_limits(app, staff_client, clock):
    from seal_server.onboarding.models import GrayMonthlyVolume
    from tests.factories import issue

    with app.app_context():
        over = issue("big.example", kind="gray", now=clock.now)
        under = issue("small.example", kind="gray", now=clock.now)
        db.session.add_all([
            GrayMonthlyVolume(seal_id=over.id, month="1405-09", provider="psp", amount=2_000_000_000,
                              transactions=150, updated_at=clock.now, over_limit_at=clock.now),
            GrayMonthlyVolume(seal_id=under.id, month="1405-09", provider="psp", amount=10, transactions=1,
                              updated_at=clock.now)])
        db.session.commit()
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get("/staff/gray?lang=en").get_data(as_text=True)
    assert "big.example" in page and "small.example" not in page and "200,000,000" in page
