"""Approval: `seal-server approve` turns one submitted application into a business and its seal, once."""
import base64
import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server import cli
from seal_server.cli import main
from seal_server.billing.models import Invoice
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.tasks import tick
from seal_server.integrations.tax_id import SandboxTaxId, is_tracking_code, luhn_digit
from seal_server.onboarding import issuance
from seal_server.onboarding.models import Application
from seal_server.seals.models import Business, Seal
from seal_server.clock import utcnow

from .conftest import BUSINESS, new_application
from .payflow import walk_to_submitted


@pytest.fixture
def submitted(app, owner):
    application_id = new_application(owner)
    response = walk_to_submitted(app, owner, application_id)
    assert response.status_code == 302 and "missing" not in response.headers["Location"]
    with app.app_context():
        assert db.session.get(Application, application_id).status == "submitted"
    return application_id


def test_approve_issues_one_standard_seal_with_one_star_and_a_tax_code(app, owner, submitted, capsys, monkeypatch):
    monkeypatch.setattr(cli.cli, "create_app", lambda: app)  # the command runs on the test's app and database
    assert main(["approve", str(submitted), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    with app.app_context():
        application = db.session.get(Application, submitted)
        seal = db.session.scalars(select(Seal)).one()
        business = seal.business
        assert (application.status, application.business_id) == ("approved", business.id)
        assert (seal.kind, seal.stars, seal.status, seal.domain) == ("standard", 1, "active", "shop.example")
        assert (business.name_fa, business.email, business.postal_code) == (
            "فروشگاه نمونه", "Info@shop.example", "1587654321")
        assert (business.province, business.city, business.latitude) == ("تهران", "تهران", 35.6997)
        assert business.owner_id == application.owner_id
        assert is_tracking_code(application.tax_tracking_code)
        public_id, tax_code = seal.public_id, application.tax_tracking_code
    assert (output["application"], output["id"], output["tax_tracking_code"]) == (submitted, public_id, tax_code)

    page = owner.get(f"/panel/applications/{submitted}?lang=en").get_data(as_text=True)
    assert "Your seal is issued" in page and public_id in page and tax_code in page
    assert f"/verify/{public_id}?code=" in page and f"/badge/{public_id}.svg?code=" in page
    assert "onboarding-seal.js" in page and "<script>" not in page
    assert '<textarea id="snippet-text"' in page and "&lt;a referrerpolicy" in page  # escaped in the box
    # the preview is the badge as the shop's visitors see it, not the panel's Referer-less "click to verify"
    preview = re.search(r'<img id="seal-preview" src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    drawn = base64.b64decode(preview).decode()
    assert "Electronic trust seal: Verified" in drawn and "Click to verify" not in drawn


def test_approving_twice_is_refused_clearly(app, submitted, capsys):
    with app.app_context():
        issuance.approve(submitted, now=utcnow(), actor="test")
        with pytest.raises(issuance.ApprovalError, match=rf"application {submitted} is already approved \(seal "):
            issuance.approve(submitted, now=utcnow(), actor="test")
        assert db.session.scalar(select(func.count(Seal.id))) == 1
        assert db.session.scalar(select(func.count(Business.id))) == 1


def test_the_command_line_keeps_errors_to_one_line(app, submitted, capsys, monkeypatch):
    monkeypatch.setattr(cli.cli, "create_app", lambda: app)
    assert main(["approve", "999999"]) == 1
    assert capsys.readouterr().err == "seal-server: no application 999999\n"
    assert main(["approve", str(submitted)]) == 0
    assert main(["approve", str(submitted)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"seal-server: application {submitted} is already approved (seal ") and \
        error.count("\n") == 1


def test_a_draft_cannot_be_approved(app, owner):
    application_id = new_application(owner)
    with app.app_context():
        with pytest.raises(issuance.ApprovalError, match=f"application {application_id} is draft, not submitted"):
            issuance.approve(application_id, now=utcnow(), actor="test")


def test_two_operators_at_once_issue_one_seal(app, submitted):
    results, barrier = [], threading.Barrier(2)

    def run():
        with app.app_context():
            barrier.wait()
            try:
                issuance.approve(submitted, now=utcnow(), actor="test")
                results.append("ok")
            except issuance.ApprovalError as error:
                results.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2 and results.count("ok") == 1, results
    assert "already approved" in "".join(results) or "by someone else" in "".join(results)
    with app.app_context():
        assert db.session.scalar(select(func.count(Seal.id))) == 1


def test_sandbox_tracking_codes_are_well_formed():
    codes = {SandboxTaxId().tracking_code(national_id="0013542419", domain="shop.example", postal_code="1587654321")
             for _ in range(50)}
    assert len(codes) == 50 and all(is_tracking_code(code) for code in codes)
    assert luhn_digit("7992739871") == "3"  # the textbook example
    assert is_tracking_code("1234567890123452") and not is_tracking_code("1234567890123453")


def _gray_seal(app, owner):
    """A gray seal, the micro seal: its first year paid, issued on the fast path at submission."""
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"), postal=False)
    return application_id


def test_a_micro_business_is_invoiced_the_second_year_when_it_falls_due(app, owner):
    application_id = _gray_seal(app, owner)
    with app.app_context():
        seal = issuance.seal_of(db.session.get(Application, application_id))
        issued = seal.issued_at
        assert tick(issued + timedelta(days=364))["second_year_invoices"] == []
        made = tick(issued + timedelta(days=366))["second_year_invoices"]
        assert len(made) == 1 and tick(issued + timedelta(days=367))["second_year_invoices"] == []
        invoice = db.session.scalar(select(Invoice).where(Invoice.number == made[0]))
        assert (invoice.total, invoice.purpose, invoice.application_id) == (1_250_000, "seal-year-2", application_id)
        sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")
                                 .order_by(OutboxMessage.id.desc())).first()
        assert made[0] in sms.body and "۱۲۵٬۰۰۰ تومان" in sms.body
    page = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "The second year's fee is due:" in page and f"/billing/invoices/{made[0]}" in page


def test_a_standard_seal_has_no_second_year_invoice(app, submitted):
    with app.app_context():
        _, seal = issuance.approve(submitted, now=utcnow(), actor="test")
        assert tick(seal.issued_at + timedelta(days=400))["second_year_invoices"] == []


def test_an_unpaid_second_year_suspends_the_seal_until_it_is_paid(app, owner):
    application_id = _gray_seal(app, owner)
    with app.app_context():
        seal = issuance.seal_of(db.session.get(Application, application_id))
        due = seal.issued_at + timedelta(days=366)
        number = tick(due)["second_year_invoices"][0]
        assert tick(due + timedelta(days=29))["second_year_suspensions"] == []
        assert tick(due + timedelta(days=31))["second_year_suspensions"] == [seal.public_id]
        db.session.refresh(seal)
        assert (seal.status, seal.status_reason) == ("suspended", "second-year fee unpaid")
        assert tick(due + timedelta(days=32))["second_year_suspensions"] == []
        invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
        invoice.status = "paid"  # as billing.complete_payment leaves it
        db.session.commit()
        assert tick(due + timedelta(days=33))["second_year_suspensions"] == [seal.public_id]
        db.session.refresh(seal)
        assert seal.status == "active"
