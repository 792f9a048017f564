"""Who may open which console page (a role x route matrix), the policy's object rules, and the audit log."""
import csv
import io
import re

import pytest
from sqlalchemy import text

from seal_server.audit import record_event
from seal_server.extensions import db
from seal_server.staff import policy
from tests.accounts.conftest import sign_in as owner_sign_in

ROUTES = {  # path -> the roles that may open it
    "/staff": set(policy.ROLES),
    "/staff/queue": {"reviewer", "supervisor", "admin"},
    "/staff/people": {"admin"},
    "/staff/audit": {"supervisor", "admin"},
    "/staff/audit.csv": {"supervisor", "admin"},
    "/operator/letters": {"support", "admin"},
    "/operator/calls": {"support", "admin"},
    "/outbox": {"support", "admin"},
    "/staff/gray": {"reviewer", "supervisor", "admin"},
    "/staff/checks": {"support", "admin"},
    "/staff/accounts": {"support", "admin"},
    "/staff/seals": {"reviewer", "supervisor", "support", "admin"},
    "/staff/providers": {"supervisor", "admin"},
}


@pytest.fixture
def app_config():
    # the operator pages answer only staff (as in production), so the matrix tests the console's roles
    return {"SEAL_POST_OFFICE_PAGE": False, "SEAL_OUTBOX_PAGE": False}


@pytest.mark.parametrize("role", policy.ROLES + ("owner", "nobody"))
@pytest.mark.parametrize("path", sorted(ROUTES))
def test_role_route_matrix(app, staff_client, role, path):
    if role == "nobody":
        client = app.test_client()
    elif role == "owner":
        client = app.test_client()
        owner_sign_in(client)
    else:
        client, _ = staff_client(role)
    status = client.get(path).status_code
    if role in ROUTES[path]:
        assert status == 200
    elif role in ("owner", "nobody"):
        assert status in (302, 404)  # to the staff sign-in (console) or not found (operator pages)
    else:
        assert status in (403, 404)


@pytest.mark.parametrize("roles, action, facts, allowed", [
    (["reviewer"], "application.approve", {}, True),
    (["support"], "application.approve", {}, False),
    (["reviewer"], "check.override", {}, False),
    (["supervisor"], "check.override", {}, True),
    (["reviewer"], "step.decide", {"applicant_national_code": "1", "staff_national_code": "1"}, False),
    (["supervisor", "admin"], "application.approve", {"applicant_national_code": "1", "staff_national_code": "1"},
     False),
    (["reviewer"], "step.decide", {"assigned_to": 2, "staff_id": 1}, False),
    (["supervisor"], "step.decide", {"assigned_to": 2, "staff_id": 1}, True),
    (["reviewer"], "step.decide", {"assigned_to": 1, "staff_id": 1}, True),
    (["arbiter"], "arbitration.rule", {}, True),  # a ruling in online arbitration: arbiters only
    (["admin", "supervisor", "support", "reviewer"], "arbitration.rule", {}, False),
])
def test_policy_object_rules(roles, action, facts, allowed):
    assert (policy.decide(roles, action, **facts) is None) is allowed


def test_every_staff_route_asks_the_policy(app):
    """A route added without @staff_required would answer an anonymous visitor; none does."""
    client = app.test_client()
    open_routes = {"/staff/sign-in", "/staff/enrol/<token>", "/staff/sign-out"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.rule in open_routes or "GET" not in rule.methods:
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        assert client.get(path).status_code == 302, path


def test_the_audit_log_searches_exports_and_checks_its_chain(app, staff_client, clock):
    admin, member = staff_client("admin")
    with app.app_context():
        record_event(actor="cli", action="seal.revoked", subject_type="seal", subject_id=7, now=clock.now,
                     reason="=HYPERLINK(\"http://evil\")")
        record_event(actor="staff:99", action="application.claimed", subject_type="application", subject_id=3,
                     now=clock.now)
        db.session.commit()
    page = admin.get("/staff/audit?lang=en").get_data(as_text=True)
    assert "hash chain is intact" in page
    def rows_of(query):
        return admin.get("/staff/audit" + query).get_data(as_text=True).split("<tbody>")[1]
    only = rows_of("?subject=seal:7")
    assert "seal.revoked" in only and "application.claimed" not in only
    assert "application.claimed" in rows_of("?actor=staff:99&action=application.")
    assert "seal.revoked" not in rows_of("?from=2000-01-01&to=2000-01-02")
    assert "seal.revoked" in rows_of("?from=2000-01-01")
    bad = admin.get("/staff/audit?from=yesterday&lang=en")
    assert bad.status_code == 200 and "year-month-day" in bad.get_data(as_text=True)
    exported = admin.get("/staff/audit.csv?actor=cli&action=seal.")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.headers["Content-Type"].startswith("text/csv") and rows[0][0] == "id"
    assert len(rows) == 2 and rows[1][3] == "seal.revoked" and rows[1][8].startswith("'=")
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET reason = 'edited' WHERE action = 'seal.revoked'"))
        db.session.commit()
    assert "broken at row" in admin.get("/staff/audit?lang=en").get_data(as_text=True)
