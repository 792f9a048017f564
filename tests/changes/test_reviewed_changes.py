"""Names, category and sales method wait for a reviewer; leaving micro status pays the rest of the fee first."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from seal_server.billing.models import Invoice
from seal_server.changes.models import SealChange
from seal_server.clock import utcnow
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding import payment
from seal_server.onboarding.models import Application
from seal_server.seals.models import Business
from tests.onboarding.payflow import path_of, pay_at_sandbox
from tests.staff.conftest import clock, staff_client, token_of  # noqa: F401 (fixtures)

from .conftest import request_change, seal_for, verify_page


def change_id(app):
    with app.app_context():
        return db.session.scalar(select(SealChange.id).order_by(SealChange.id.desc()))


def test_a_reviewer_applies_new_names_and_the_public_page_shows_them_only_then(app, owner, staff_client, clock):
    public_id = seal_for(app)
    response = request_change(owner, public_id, "names", name_fa="فروشگاه تازه", name_en="Fresh Shop")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = owner.get(response.headers["Location"]).get_data(as_text=True)  # English: the redirect keeps ?lang=en
    assert 'data-state="verifying"' in page and "The authority is reviewing this change" in page
    assert "Fresh Shop" not in verify_page(owner, public_id)
    support, _ = staff_client("support")
    assert support.get("/staff/changes").status_code == 403
    reviewer, _ = staff_client("reviewer")
    listing = reviewer.get("/staff/changes?lang=en").get_data(as_text=True)
    assert "Fresh Shop" in listing and "Sample Shop" in listing
    cid = change_id(app)
    decided = reviewer.post(f"/staff/changes/{cid}", data={"csrf_token": token_of(reviewer, "/staff/changes"),
                                                           "action": "apply"})
    assert decided.status_code == 302
    page = verify_page(owner, public_id)
    assert "Fresh Shop" in page and "فروشگاه تازه" in page
    again = reviewer.post(f"/staff/changes/{cid}?lang=en", data={
        "csrf_token": token_of(reviewer, "/staff/changes"), "action": "refuse", "note": "Too late now."})
    assert again.status_code == 409
    with app.app_context():
        change = db.session.get(SealChange, cid)
        assert (change.state, change.decided_by is not None) == ("applied", True)
        assert db.session.scalar(select(Event.actor_kind).where(Event.kind == "seal.details_changed")) == "staff"


def test_a_refused_category_change_keeps_the_record_and_tells_the_owner_why(app, owner, staff_client, clock):
    public_id = seal_for(app)
    assert request_change(owner, public_id, "category", category="books").status_code == 302
    reviewer, _ = staff_client("reviewer")
    cid = change_id(app)
    short = reviewer.post(f"/staff/changes/{cid}?lang=en", data={
        "csrf_token": token_of(reviewer, "/staff/changes"), "action": "refuse", "note": ""})
    assert short.status_code == 400 and "Write the reason the owner will read." in short.get_data(as_text=True)
    assert reviewer.post(f"/staff/changes/{cid}", data={
        "csrf_token": token_of(reviewer, "/staff/changes"), "action": "refuse",
        "note": "The site sells no books."}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Business.category)) == "general"
        assert db.session.get(SealChange, cid).state == "refused"
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "info@shop.example")
                                     .order_by(OutboxMessage.id.desc())).first()
        assert "The site sells no books." in message.body
    page = owner.get(f"/panel/seals/{public_id}/changes/{cid}?lang=en").get_data(as_text=True)
    assert "The site sells no books." in page and 'data-state="refused"' in page
    # refused, so a new change of the category may follow
    assert request_change(owner, public_id, "sales_method", sales_method="both").status_code == 302
    assert request_change(owner, public_id, "category", category="books").status_code == 302


def test_leaving_micro_status_pays_the_rest_of_the_two_year_fee_before_it_takes_effect(app, owner):
    public_id = seal_for(app, micro=True, kind="gray")
    with app.app_context():
        application = db.session.scalar(select(Application))
        db.session.add(Invoice(number="261130-100001", account_id=application.account_id,
                               application_id=application.id, purpose="seal", status="paid", total=500_000,
                               created_at=utcnow(), paid_at=utcnow()))
        db.session.commit()
    form = owner.get(f"/panel/seals/{public_id}/changes/new/micro?lang=en").get_data(as_text=True)
    assert "125,000 toman" in form
    response = request_change(owner, public_id, "micro")
    assert response.status_code == 302, response.get_data(as_text=True)
    twice = request_change(owner, public_id, "micro")
    assert twice.headers["Location"] == response.headers["Location"]  # the same change, one invoice
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    invoice = re.search(r'id="pay-link" href="([^"]+)"', page).group(1)
    with app.app_context():
        assert db.session.scalar(select(Application.micro)) is True
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 2
    pay_at_sandbox(owner, path_of(invoice).split("?")[0])
    with app.app_context():
        assert db.session.scalar(select(Application.micro)) is False
        assert db.session.scalar(select(SealChange.state)) == "applied"
        paid = db.session.scalar(select(Invoice).where(Invoice.purpose == "change-micro"))
        assert (paid.status, paid.total) == ("paid", 1_250_000)
        # no second-year invoice is due any more
        assert payment.invoice_second_years(utcnow() + timedelta(days=400)) == []
    again = request_change(owner, public_id, "micro")
    assert again.status_code == 409 and "there is no micro status to leave" in again.get_data(as_text=True)
