"""The fee steps: the seal invoice (micro or standard) and the postal check with its letter and code."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.billing.models import Invoice
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.integrations.models import PostLetter
from seal_server.onboarding import payment, service
from seal_server.onboarding.models import Application, VerificationCode
from seal_server.tasks import tick
from tests.accounts.conftest import csrf_from

from .conftest import BUSINESS, new_application, post_form
from .payflow import pay_at_sandbox, path_of
from .test_contact import CONTACT_STEP


def _app_row(app, application_id, *names):
    with app.app_context():
        application = db.session.get(Application, application_id)
        service.refresh_steps(application, utcnow())
        states = {s.step: s.state for s in application.steps}
        return {name: getattr(application, name) for name in names} | {"states": states}


def _seal_invoice(owner, application_id):
    token = csrf_from(owner.get("/panel"))
    response = owner.post(f"/panel/applications/{application_id}/payment", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return path_of(response.headers["Location"])


@pytest.mark.parametrize("kind, toman, rials, micro", [("standard", "۱۷۵٬۰۰۰ تومان", 1_750_000, False),
                                                       ("gray", "۵۰٬۰۰۰ تومان", 500_000, True)])
def test_the_seal_fee_follows_the_kind_and_the_listener_marks_it_paid(app, owner, kind, toman, rials, micro):
    """The gray seal is the micro seal (50,000 now, 125,000 a year on); the one-star seal pays 175,000 at once."""
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, seal_kind=kind))
    page = owner.get(f"/panel/applications/{application_id}/payment").get_data(as_text=True)
    assert toman in page and ("۱۲۵٬۰۰۰ تومان" in page) is micro
    invoice_path = _seal_invoice(owner, application_id)
    assert toman in owner.get(invoice_path).get_data(as_text=True)
    assert _app_row(app, application_id, "fee_paid_at")["states"]["payment"] == "pending"
    assert _seal_invoice(owner, application_id) == invoice_path  # asking again gives the same invoice

    pay_at_sandbox(owner, invoice_path, outcome="cancelled")
    assert _app_row(app, application_id, "fee_paid_at")["fee_paid_at"] is None

    pay_at_sandbox(owner, invoice_path)
    row = _app_row(app, application_id, "fee_paid_at", "micro")
    assert row["fee_paid_at"] is not None and row["micro"] is micro
    assert row["states"]["payment"] == "done"
    with app.app_context():
        invoice = db.session.scalars(select(Invoice)).one()
        assert (invoice.total, invoice.purpose, invoice.application_id) == (rials, "seal", application_id)
    page = owner.get(f"/panel/applications/{application_id}/payment?lang=en").get_data(as_text=True)
    assert "The seal fee was paid on" in page


def test_a_temporary_seal_has_no_fee(owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, seal_kind="temporary"))
    token = csrf_from(owner.get("/panel"))
    response = owner.post(f"/panel/applications/{application_id}/payment?lang=en", data={"csrf_token": token})
    assert response.status_code == 400 and "A temporary seal has no fee" in response.get_data(as_text=True)


def test_no_seal_fee_before_the_kind_of_seal_is_chosen(owner):
    application_id = new_application(owner)
    token = csrf_from(owner.get("/panel"))
    response = owner.post(f"/panel/applications/{application_id}/payment?lang=en",
                          data={"csrf_token": token, "size": "standard"})
    assert response.status_code == 400
    assert "Choose the kind of seal in the business step first." in response.get_data(as_text=True)


def _postal_path(application_id, what):
    return f"/panel/applications/{application_id}/postal/{what}"


def _post_postal(owner, application_id, what, data=None, lang=""):
    token = csrf_from(owner.get(f"/panel/applications/{application_id}/contact"))
    return owner.post(_postal_path(application_id, what) + lang, data={"csrf_token": token, **(data or {})})


def _letter_code(app):
    with app.app_context():
        letter = db.session.scalars(select(PostLetter).order_by(PostLetter.id.desc())).first()
        return letter, letter.body.splitlines()[-1]


def test_postal_check_letter_and_code(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", BUSINESS)
    post_form(owner, f"/panel/applications/{application_id}/contact", CONTACT_STEP)
    # the invoice form posts to /postal/invoice
    page = owner.get(f"/panel/applications/{application_id}/postal")
    to_invoice = owner.post(_postal_path(application_id, "invoice"), data={"csrf_token": csrf_from(page)})
    invoice_path = path_of(to_invoice.headers["Location"])
    assert "۱۷٬۰۰۰ تومان" in owner.get(invoice_path).get_data(as_text=True)
    pay_at_sandbox(owner, invoice_path)
    assert _app_row(app, application_id, "postal_paid_at")["states"]["postal"] == "pending"

    letter, code = _letter_code(app)
    assert re.fullmatch(r"[ACDEFGHJKLMNPQRTUVWXY34679]{10}", code)
    assert letter.pdf.startswith(b"%PDF") and letter.postal_code == "1587654321"
    assert letter.address == CONTACT_STEP["address"]
    listing = owner.get("/operator/letters").get_data(as_text=True)
    assert letter.reference in listing and code in listing
    pdf = owner.get(f"/operator/letters/{letter.reference}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data == letter.pdf
    with app.app_context():
        stored = db.session.scalars(select(VerificationCode).where(VerificationCode.purpose == "postal")).one()
        assert code not in stored.digest

    wrong = _post_postal(owner, application_id, "check", {"code": "AAAAAAAAAA"}, lang="?lang=en")
    assert wrong.status_code == 400 and "This code is not right." in wrong.get_data(as_text=True)
    typed = f"{code[:5].lower()} - {code[5:]}"  # as people type it from paper
    assert _post_postal(owner, application_id, "check", {"code": typed}).status_code == 302
    row = _app_row(app, application_id, "postal_verified_at")
    assert row["postal_verified_at"] is not None and row["states"]["postal"] == "done"

    # a different address must be proved again, and the used code does not prove it
    post_form(owner, f"/panel/applications/{application_id}/contact",
              dict(CONTACT_STEP, address="خیابان انقلاب، پلاک ۲۰، واحد ۵"))
    assert _app_row(app, application_id)["states"]["postal"] == "pending"
    replay = _post_postal(owner, application_id, "check", {"code": code}, lang="?lang=en")
    assert replay.status_code == 400
    assert _post_postal(owner, application_id, "letter").status_code == 302
    letter, second = _letter_code(app)
    assert second != code and letter.address == "خیابان انقلاب، پلاک ۲۰، واحد ۵"
    assert _post_postal(owner, application_id, "check", {"code": second}).status_code == 302
    assert _app_row(app, application_id)["states"]["postal"] == "done"


def test_an_expired_postal_code_is_refused_and_a_new_letter_is_limited(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", BUSINESS)
    post_form(owner, f"/panel/applications/{application_id}/contact", CONTACT_STEP)
    _pay_postal_direct(owner, application_id)
    _, code = _letter_code(app)
    early = _post_postal(owner, application_id, "letter", lang="?lang=en")
    assert "The letter already sent is still valid; wait for it to arrive." in early.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalars(select(VerificationCode).where(VerificationCode.purpose == "postal")).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    page = owner.get(f"/panel/applications/{application_id}/postal?lang=en").get_data(as_text=True)
    assert "The code of the last letter has expired" in page
    expired = _post_postal(owner, application_id, "check", {"code": code}, lang="?lang=en")
    assert expired.status_code == 400
    assert "This code has expired; ask for a new one." in expired.get_data(as_text=True)
    for _ in range(payment.MAX_LETTERS - 1):
        assert _post_postal(owner, application_id, "letter").status_code == 302
        with app.app_context():
            for row in db.session.scalars(select(VerificationCode)):
                row.expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
    refused = _post_postal(owner, application_id, "letter", lang="?lang=en")
    assert "We have already mailed 3 letters" in refused.get_data(as_text=True)


def _pay_postal_direct(owner, application_id):
    page = owner.get(f"/panel/applications/{application_id}/postal")
    to_invoice = owner.post(_postal_path(application_id, "invoice"), data={"csrf_token": csrf_from(page)})
    pay_at_sandbox(owner, path_of(to_invoice.headers["Location"]))


def test_a_failing_post_office_leaves_the_payment_and_the_clock_sends_the_letter(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", BUSINESS)
    post_form(owner, f"/panel/applications/{application_id}/contact", CONTACT_STEP)
    app.config["SEAL_LETTER_FONT"] = "/nonexistent/font.ttf"
    _pay_postal_direct(owner, application_id)
    row = _app_row(app, application_id, "postal_paid_at")
    assert row["postal_paid_at"] is not None
    with app.app_context():
        assert db.session.scalars(select(PostLetter)).all() == []
        assert db.session.scalars(select(Invoice)).one().status == "paid"
        assert tick(utcnow())["letters"] == []  # still failing: nothing half-made
    app.config["SEAL_LETTER_FONT"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    with app.app_context():
        assert tick(utcnow())["letters"] == [application_id]
        assert tick(utcnow())["letters"] == []
        assert len(db.session.scalars(select(PostLetter)).all()) == 1


def test_postal_fee_needs_an_address_first(owner):
    application_id = new_application(owner)
    response = _post_postal(owner, application_id, "invoice", lang="?lang=en")
    assert response.status_code == 400
    assert "Save the contact details with the postal address first." in response.get_data(as_text=True)


def test_the_letters_page_is_off_in_production_for_non_staff(app, owner):
    app.config["SEAL_POST_OFFICE_PAGE"] = False
    assert owner.get("/operator/letters").status_code == 404
