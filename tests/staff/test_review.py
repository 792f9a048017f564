"""The review queue and page, decisions per step, approval once, rejection, and what the owner reads."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server.audit import AuditEvent
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.onboarding.models import Application, Document
from seal_server.seals.models import Seal
from seal_server.staff import review, service
from seal_server.staff.models import Staff
from tests.accounts.conftest import NATIONAL_CODE, csrf_from
from tests.onboarding.conftest import PDF, fetch_from, new_application, owner  # noqa: F401  (a fixture)
from tests.onboarding.payflow import walk_to_submitted

from .conftest import enrol


@pytest.fixture
def app_config(site):
    return fetch_from(site)


@pytest.fixture
def submitted(app, owner):
    application_id = new_application(owner)
    response = walk_to_submitted(app, owner, application_id)
    assert "missing" not in response.headers["Location"]
    return application_id


def _post(client, path, **data):
    page = client.get("/staff")
    return client.post(path, data={"csrf_token": csrf_from(page), **data})


def test_the_queue_shows_submitted_applications_with_their_age(app, owner, submitted, staff_client, clock):
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get("/staff/queue?lang=en").get_data(as_text=True)
    assert "shop.example" in page and "overdue" not in page.split("<tbody>")[1]
    with app.app_context():
        application = db.session.get(Application, submitted)
        application.submitted_at -= timedelta(days=6)
        db.session.commit()
    page = reviewer.get("/staff/queue?lang=en&overdue=1").get_data(as_text=True)
    assert "Documents overdue" in page and "shop.example" in page
    assert "shop.example" not in reviewer.get("/staff/queue?q=nothing-like-it").get_data(as_text=True).split(
        "<main>")[1]
    assert "shop.example" in reviewer.get("/staff/queue?q=shop").get_data(as_text=True)
    assert "shop.example" in reviewer.get(f"/staff/queue?q={NATIONAL_CODE}").get_data(as_text=True)
    assert "shop.example" not in reviewer.get("/staff/queue?kind=gray").get_data(as_text=True).split("<main>")[1]


def test_documents_are_inline_for_staff_only_with_safe_headers(app, owner, submitted, staff_client):
    with app.app_context():
        document = Document(application_id=submitted, kind="other", storage_key="x" * 40 + ".pdf",
                            original_name="a.pdf", content_type="application/pdf", size=len(PDF), sha256="0" * 64,
                            uploaded_at=db.session.get(Application, submitted).created_at)
        db.session.add(document)
        db.session.commit()
        document_id = document.id
        from seal_server.onboarding.storage import storage_from_config

        storage = storage_from_config(app.config)
        key = storage.save(PDF, "pdf")
        db.session.get(Document, document_id).storage_key = key
        db.session.commit()
    reviewer, _ = staff_client("reviewer")
    path = f"/staff/applications/{submitted}/documents/{document_id}"
    response = reviewer.get(path)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert f'<iframe src="{path}"' in reviewer.get(f"/staff/applications/{submitted}").get_data(as_text=True)
    assert owner.get(path).status_code == 302  # an owner is not staff: to the staff sign-in
    support, _ = staff_client("support")
    assert support.get(path).status_code == 403


def test_a_rejected_step_goes_back_to_its_owner_alone_then_the_seal_is_issued(app, owner, submitted, staff_client,
                                                                            clock, site):
    reviewer, member = staff_client("reviewer")
    base = f"/staff/applications/{submitted}"
    short = _post(reviewer, base + "/steps/domain?lang=en", verdict="reject", reason="no")
    assert short.status_code == 400 and "at least" in short.get_data(as_text=True)
    assert _post(reviewer, base + "/steps/identity", verdict="accept").status_code == 302
    reason = "تگ متا روی صفحهٔ اصلی سایت دیده نشد"
    assert _post(reviewer, base + "/steps/domain", verdict="reject", reason=reason).status_code == 302
    with app.app_context():
        application = db.session.get(Application, submitted)
        assert application.status == "draft" and application.domain_verified_at is None
        event = db.session.scalar(select(Event).where(Event.kind == "application.step_rejected"))
        assert event.payload == {"step": "domain", "reason": reason} and event.actor_id == str(member.id)
    # the owner reads it in Persian, may change only the domain step, and cannot resubmit before
    panel = owner.get(f"/panel/applications/{submitted}").get_data(as_text=True)
    assert reason in panel and "رد شده" in panel
    refused = owner.post(f"/panel/applications/{submitted}/commitment",
                         data={"csrf_token": csrf_from(owner.get("/panel")), "accept": "yes", "version": "x"})
    assert refused.status_code == 409
    token = csrf_from(owner.get(f"/panel/applications/{submitted}"))
    again = owner.post(f"/panel/applications/{submitted}/submit", data={"csrf_token": token})
    assert "missing=domain" in again.headers["Location"]
    # the owner proves the domain again with a meta tag, and resubmits
    owner.post(f"/panel/applications/{submitted}/domain/start", data={"csrf_token": token, "method": "meta"})
    with app.app_context():
        from seal_server.onboarding.models import DomainChallenge

        challenge = db.session.scalars(select(DomainChallenge).order_by(DomainChallenge.id.desc())).first()
        site.page("/", f'<html><head><meta name="seal-verification" content="{challenge.token}"></head></html>')
        challenge_id = challenge.id
    checked = owner.post(f"/panel/applications/{submitted}/domain/check",
                         data={"csrf_token": token, "challenge": challenge_id})
    assert checked.status_code == 302
    assert "missing" not in owner.post(f"/panel/applications/{submitted}/submit",
                                       data={"csrf_token": token}).headers["Location"]
    with app.app_context():
        application = db.session.get(Application, submitted)
        assert application.status == "submitted"
        states = {item.step: (item.state, item.accepted_at is not None) for item in application.steps}
        assert states["identity"] == ("done", True) and states["domain"] == ("done", False)
    assert _post(reviewer, base + "/approve").status_code == 302
    with app.app_context():
        seal = db.session.scalars(select(Seal)).one()
        assert seal.status == "active" and seal.domain == "shop.example"
        assert db.session.scalar(select(Event).where(Event.kind == "application.approved")).actor_id == str(member.id)
    repeat = _post(reviewer, base + "/approve")
    assert repeat.status_code == 409


def test_approval_needs_a_fresh_code_after_five_minutes(app, submitted, staff_client, clock):
    reviewer, member = staff_client("reviewer")
    clock.advance(minutes=6)
    stale = _post(reviewer, f"/staff/applications/{submitted}/approve?lang=en")
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Seal.id))) == 0
    assert _post(reviewer, f"/staff/applications/{submitted}/approve",
                 code=member.code(app, clock.now)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Seal.id))) == 1


def test_rejecting_the_whole_application_tells_the_owner_why(app, owner, submitted, staff_client):
    reviewer, _ = staff_client("supervisor")
    reason = "مدارک هویتی با اطلاعات ثبت‌شده یکسان نیست"
    assert _post(reviewer, f"/staff/applications/{submitted}/reject", reason=reason).status_code == 302
    with app.app_context():
        application = db.session.get(Application, submitted)
        assert (application.status, application.rejection_reason) == ("rejected", reason)
        assert db.session.scalar(select(Event).where(Event.kind == "application.rejected")).payload == {
            "reason": reason}
    assert reason in owner.get(f"/panel/applications/{submitted}").get_data(as_text=True)
    assert _post(reviewer, f"/staff/applications/{submitted}/reject", reason=reason).status_code == 409


def test_a_reviewer_cannot_decide_their_own_application(app, submitted, staff_client):
    reviewer, _ = staff_client("reviewer", national_code=NATIONAL_CODE)
    response = _post(reviewer, f"/staff/applications/{submitted}/steps/identity?lang=en", verdict="accept")
    assert response.status_code == 403 and "your own application" in response.get_data(as_text=True)
    assert _post(reviewer, f"/staff/applications/{submitted}/approve").status_code == 403
    with app.app_context():
        assert db.session.get(Application, submitted).status == "submitted"


def test_a_claimed_application_is_decided_by_its_holder_or_a_supervisor(app, submitted, staff_client):
    first, _ = staff_client("reviewer")
    second, _ = staff_client("reviewer", national_code="0023456787")
    assert _post(first, f"/staff/applications/{submitted}/claim").status_code == 302
    assert _post(second, f"/staff/applications/{submitted}/claim").status_code == 403
    assert _post(second, f"/staff/applications/{submitted}/steps/identity", verdict="accept").status_code == 403
    assert _post(first, f"/staff/applications/{submitted}/steps/identity", verdict="accept").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "application.claimed"))
        second_id = db.session.scalar(select(Staff.id).where(Staff.national_code == "0023456787"))
    assert _post(first, f"/staff/applications/{submitted}/assign", assignee=second_id).status_code == 403
    supervisor, _ = staff_client("supervisor")
    assert _post(supervisor, f"/staff/applications/{submitted}/assign", assignee=999).status_code == 400
    assert _post(supervisor, f"/staff/applications/{submitted}/assign", assignee=second_id).status_code == 302
    assert _post(second, f"/staff/applications/{submitted}/steps/business", verdict="accept").status_code == 302
    assert _post(first, f"/staff/applications/{submitted}/steps/contact", verdict="accept").status_code == 403


def _race(app, clock, application_id, decision):
    """A reviewer and a supervisor run `decision(staff, application)` at the same moment; their outcomes."""
    members = [enrol(app, "0067749828", ["reviewer"], clock.now), enrol(app, "0010350829", ["supervisor"], clock.now)]
    barrier, results = threading.Barrier(len(members)), []

    def run(member_id):
        with app.app_context():
            staff, application = db.session.get(Staff, member_id), db.session.get(Application, application_id)
            barrier.wait()
            try:
                decision(staff, application)
                results.append("won")
            except service.StaffError as error:
                results.append(error.message)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=run, args=(member.id,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(results)


def test_two_reviewers_approving_at_once_issue_one_seal(app, submitted, clock):
    results = _race(app, clock, submitted, lambda staff, application: review.approve(staff, application, now=clock.now))
    assert results == sorted(["won", review.CHANGED])
    with app.app_context():
        assert db.session.scalar(select(func.count(Seal.id))) == 1
        assert db.session.scalar(select(func.count(Event.id)).where(Event.kind == "application.approved")) == 1


def test_two_reviewers_rejecting_one_step_at_once_reject_it_once(app, submitted, clock):
    results = _race(app, clock, submitted, lambda staff, application: review.decide_step(
        staff, application, "contact", "reject", "شمارهٔ تلفن پاسخ نمی‌دهد", now=clock.now))
    assert results == sorted(["won", review.CHANGED])
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id)).where(Event.kind == "application.step_rejected")) == 1


def test_supervisors_suspend_reinstate_and_revoke_seals_revoking_with_a_fresh_code(app, staff_client, clock):
    from tests.factories import issue

    with app.app_context():
        public_id = issue("seal.example", now=clock.now).public_id
    reviewer, _ = staff_client("reviewer")
    assert public_id in reviewer.get("/staff/seals?q=seal.example").get_data(as_text=True)
    assert _post(reviewer, f"/staff/seals/{public_id}", action="suspend", reason="complaints").status_code == 403
    supervisor, member = staff_client("supervisor")
    path = f"/staff/seals/{public_id}"
    assert _post(supervisor, path + "?lang=en", action="suspend", reason="").status_code == 400
    assert _post(supervisor, path, action="suspend", reason="five complaints unanswered").status_code == 302
    assert _post(supervisor, path + "?lang=en", action="suspend", reason="again and again").status_code == 409
    assert _post(supervisor, path, action="reinstate").status_code == 302
    clock.advance(minutes=6)
    stale = _post(supervisor, path + "?lang=en", action="revoke", reason="fraud confirmed by the police")
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    assert _post(supervisor, path, action="revoke", reason="fraud confirmed by the police",
                 code=member.code(app, clock.now)).status_code == 302
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert seal.status == "revoked"
        kinds = db.session.scalars(select(Event.kind).where(Event.actor_id == str(member.id)).order_by(Event.id)).all()
        assert kinds == ["seal.suspended", "seal.reinstated", "seal.revoked"]
    assert reviewer.get("/staff/seals/not-a-seal").status_code == 404
