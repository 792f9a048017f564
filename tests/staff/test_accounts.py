"""Staff accounts: the first admin from the command line, enrolment, password + TOTP, sessions, lockout."""
import json
import re

from sqlalchemy import select

from seal_server import cli
from seal_server.audit import AuditEvent
from seal_server.cli import main
from seal_server.extensions import db
from seal_server.staff import service, totp
from seal_server.staff.models import Staff, StaffSession
from tests.accounts.conftest import csrf_from

from .conftest import ADMIN_CODE, PASSWORD, REVIEWER_CODE, enrol, enrol_token, sign_in


def test_create_staff_prints_a_one_time_enrolment_link_that_enrols_once(app, client, clock, capsys, monkeypatch):
    monkeypatch.setattr(cli.cli, "create_app", lambda: app)
    assert main(["create-staff", "--national-code", "۰۰۸۴۵۷۵۹۴۸", "--name", "Admin One", "--role", "admin",
                 "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["enrol_url"].startswith("http://seal.test/staff/enrol/")
    path = "/staff/enrol/" + enrol_token(output["enrol_url"])
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "<img" not in html.split("<main>")[1]
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    token = csrf_from(page)
    wrong = client.post(path, data={"csrf_token": token, "password": PASSWORD, "repeat": PASSWORD, "code": "000000"})
    assert wrong.status_code == 400
    short = client.post(path, data={"csrf_token": token, "password": "short", "repeat": "short",
                                    "code": totp.code_at(secret, clock.now)})
    assert short.status_code == 400
    done = client.post(path, data={"csrf_token": token, "password": PASSWORD, "repeat": PASSWORD,
                                   "code": totp.code_at(secret, clock.now)})
    codes = re.findall(r"<li><code>([a-z0-9\-]+)</code></li>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert client.get(path).status_code == 404  # used once
    with app.app_context():
        staff = db.session.get(Staff, output["id"])
        assert staff.password_hash.startswith("$argon2") and PASSWORD not in staff.password_hash
        assert all(code not in json.dumps(staff.recovery_codes) for code in codes)
    # a second admin with the same code is refused in one line
    assert main(["create-staff", "--national-code", ADMIN_CODE, "--name", "X", "--role", "admin"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_sign_in_needs_the_password_and_a_fresh_code_and_a_code_works_once(app, client, clock):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    assert sign_in(client, member, clock.now, password="wrong password!!").status_code == 400
    assert sign_in(client, member, clock.now, code="123456").status_code == 400
    code = member.code(app, clock.now)
    first = sign_in(client, member, clock.now, code=code)
    assert first.status_code == 302 and client.get("/staff").status_code == 200
    other = app.test_client()
    replay = sign_in(other, member, clock.now, code=code)
    assert replay.status_code == 400 and "wrong" in sign_in(other, member, clock.now, code=code, lang="?lang=en") \
        .get_data(as_text=True)
    assert other.get("/staff").status_code == 302


def test_a_recovery_code_signs_in_once(app, clock):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    client = app.test_client()
    assert sign_in(client, member, clock.now, code=member.recovery[3].upper()).status_code == 302
    again = app.test_client()
    assert sign_in(again, member, clock.now, code=member.recovery[3]).status_code == 400
    with app.app_context():
        assert len(db.session.get(Staff, member.id).recovery_codes) == 9
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "staff.recovery_code_used"))


def test_five_wrong_attempts_lock_the_account_even_for_the_right_password(app, client, clock):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    for _ in range(service.MAX_FAILURES):
        assert sign_in(client, member, clock.now, password="not the password").status_code == 400
    locked = sign_in(client, member, clock.now, lang="?lang=en")
    assert locked.status_code == 400 and "locked" in locked.get_data(as_text=True)
    clock.advance(minutes=16)
    assert sign_in(client, member, clock.now).status_code == 302
    with app.app_context():
        refusals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.sign_in_refused")).all()
        assert len(refusals) == service.MAX_FAILURES


def test_sessions_end_after_30_idle_minutes_and_8_hours(app, staff_client, clock):
    client, member = staff_client("admin")
    clock.advance(minutes=29)
    assert client.get("/staff").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/staff").status_code == 302
    client = app.test_client()
    assert sign_in(client, member, clock.now).status_code == 302
    for _ in range(16):  # busy all day, never idle (16 x 29 minutes < 8 hours)
        clock.advance(minutes=29)
        assert client.get("/staff").status_code == 200
    clock.advance(minutes=29)
    response = client.get("/staff")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_sign_out_revokes_the_session_on_the_server(app, staff_client, clock):
    client, _ = staff_client("admin")
    with client.session_transaction() as saved:
        cookie_session = dict(saved)
    client.post("/staff/sign-out", data={"csrf_token": csrf_from(client.get("/staff"))})
    thief = app.test_client()
    with thief.session_transaction() as planted:
        planted.update(cookie_session)
    assert thief.get("/staff").status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once(app, staff_client, clock):
    admin, _ = staff_client("admin")
    reviewer, member = staff_client("reviewer")
    assert reviewer.get("/staff/queue").status_code == 200
    token = csrf_from(admin.get("/staff/people"))
    assert admin.post(f"/staff/people/{member.id}/disable", data={"csrf_token": token}).status_code == 302
    assert reviewer.get("/staff/queue").status_code == 302
    assert sign_in(app.test_client(), member, clock.now).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(StaffSession.revoked_at).where(StaffSession.staff_id == member.id)).all()
        assert all(db.session.scalars(select(StaffSession.revoked_at).where(StaffSession.staff_id == member.id)))


def test_role_changes_need_a_fresh_code_after_five_minutes_and_are_audited(app, staff_client, clock):
    admin, admin_member = staff_client("admin")
    _, member = staff_client("reviewer")
    clock.advance(minutes=6)
    path = f"/staff/people/{member.id}/roles"
    token = csrf_from(admin.get("/staff/people"))
    stale = admin.post(path + "?lang=en", data={"csrf_token": token, "roles": ["reviewer", "supervisor"]})
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    wrong = admin.post(path, data={"csrf_token": token, "roles": ["supervisor"], "code": "000000"})
    assert wrong.status_code == 400
    with app.app_context():
        assert db.session.get(Staff, member.id).roles == ["reviewer"]
    fresh = admin.post(path, data={"csrf_token": token, "roles": ["reviewer", "supervisor"],
                                   "code": admin_member.code(app, clock.now)})
    assert fresh.status_code == 302
    with app.app_context():
        assert db.session.get(Staff, member.id).roles == ["reviewer", "supervisor"]
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.roles_changed"))
        assert (row.actor, row.before, row.after) == (
            f"staff:{admin_member.id}", {"roles": ["reviewer"]}, {"roles": ["reviewer", "supervisor"]})


def test_an_admin_invites_a_reviewer_who_enrols_with_the_link(app, staff_client, clock):
    admin, _ = staff_client("admin")
    token = csrf_from(admin.get("/staff/people"))
    bad = admin.post("/staff/people?lang=en", data={"csrf_token": token, "national_code": "123",
                                                    "name": "Reza", "roles": ["reviewer"]})
    assert bad.status_code == 400 and 'value="123"' in bad.get_data(as_text=True)
    page = admin.post("/staff/people", data={"csrf_token": token, "national_code": REVIEWER_CODE,
                                             "name": "Reza", "roles": ["reviewer"]})
    link = re.search(r'id="enrol-link">([^<]+)<', page.get_data(as_text=True)).group(1)
    new = app.test_client()
    assert new.get("/staff/enrol/" + enrol_token(link)).status_code == 200
    assert new.get("/staff/enrol/not-a-token").status_code == 404


def test_support_moves_a_taken_account_to_its_verified_holder(app, staff_client, clock):
    from seal_server.accounts.models import Account
    from seal_server.events.models import Delivery
    from tests.accounts.conftest import NATIONAL_CODE, sign_in as owner_sign_in

    squatter = app.test_client()
    owner_sign_in(squatter, NATIONAL_CODE, "09350000000")  # someone else took the national code first
    support, member = staff_client("support")
    page = support.get(f"/staff/accounts?national_code={NATIONAL_CODE}&lang=en")
    assert page.status_code == 200 and "0935***0000" in page.get_data(as_text=True)
    path = f"/staff/accounts?national_code={NATIONAL_CODE}&lang=en"
    token = csrf_from(page)
    unverified = support.post(path, data={"csrf_token": token, "mobile": "09121234567", "reason": "met in person"})
    assert unverified.status_code == 400 and 'value="09121234567"' in unverified.get_data(as_text=True)
    with app.app_context():
        from seal_server.integrations import checks

        checks.set_sandbox_outcome("mobile", "fail", NATIONAL_CODE, now=clock.now)
        db.session.commit()
    refused = support.post(path, data={"csrf_token": token, "mobile": "09121234567", "reason": "met in person",
                                       "verified": "yes"})
    assert refused.status_code == 400 and "does not belong" in refused.get_data(as_text=True)
    with app.app_context():
        checks.set_sandbox_outcome("mobile", "pass", NATIONAL_CODE, now=clock.now)
        db.session.commit()
    moved = support.post(path, data={"csrf_token": token, "mobile": "۰۹۱۲۱۲۳۴۵۶۷", "reason": "met in person",
                                     "verified": "yes"})
    assert moved.status_code == 200 and 'id="moved"' in moved.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Account.mobile).where(Account.national_code == NATIONAL_CODE)) == \
            "09121234567"
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.moved"))
        assert (row.actor, row.before, row.after) == (
            f"staff:{member.id}", {"mobile": "09350000000"}, {"mobile": "09121234567"})
        told = set(db.session.scalars(select(Delivery.recipient).where(Delivery.channel == "sms")))
        assert {"09350000000", "09121234567"} <= told
    reviewer, _ = staff_client("reviewer")
    assert reviewer.get("/staff/accounts").status_code == 403


def test_an_owner_signing_in_and_out_in_the_same_browser_keeps_the_console_session(app, staff_client, clock):
    from tests.accounts.conftest import sign_in as owner_sign_in

    client, _ = staff_client("admin")
    owner_sign_in(client)
    assert client.get("/panel").status_code == 200
    assert client.get("/staff").status_code == 200  # the console session survived the owner's sign-in
    client.post("/account/logout", data={"csrf_token": csrf_from(client.get("/panel"))})
    assert client.get("/panel").status_code == 302  # the owner is signed out...
    assert client.get("/staff").status_code == 200  # ...and the staff member is not
