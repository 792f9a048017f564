"""Walk an application through its steps and pay invoices at the sandbox bank, over HTTP."""
import re
from urllib.parse import urlsplit

from tests.accounts.conftest import csrf_from

from .conftest import BUSINESS, NATURAL, post_form


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def pay_at_sandbox(client, invoice_path, outcome="paid"):
    """From the invoice page to the bank and back through the callback; returns the final page's HTML."""
    page = client.get(invoice_path)
    to_bank = client.post(path_of(invoice_path) + "/pay", data={"csrf_token": csrf_from(page)})
    assert to_bank.status_code == 302, to_bank.get_data(as_text=True)
    bank = path_of(to_bank.headers["Location"])
    back = client.post(bank, data={"csrf_token": csrf_from(client.get(bank)), "outcome": outcome})
    return client.get(path_of(back.headers["Location"]), follow_redirects=True).get_data(as_text=True)


def invoice_number(location):
    return re.search(r"/billing/invoices/([0-9-]+)", location).group(1)


def walk_to_submitted(app, client, application_id, business=None, *, postal=True, pay=True, size="standard",
                      identity=None):
    """Every step through the owner's pages (the domain proof, tested on its own, is recorded directly)."""
    from seal_server.clock import utcnow
    from seal_server.extensions import db
    from seal_server.integrations.models import PostLetter
    from seal_server.onboarding import terms
    from seal_server.onboarding.models import Application
    from sqlalchemy import select

    from .test_contact import CONTACT_STEP, _email_code, landline_code

    base = f"/panel/applications/{application_id}"
    assert post_form(client, base + "/identity", identity or NATURAL).status_code == 302
    assert post_form(client, base + "/business", business or BUSINESS).status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.domain_verified_at, application.domain_verified_by = utcnow(), "meta"
        db.session.commit()
    assert post_form(client, base + "/commitment", {"version": terms.current()["version"], "accept": "yes"}) \
        .status_code == 302
    if postal:
        assert post_form(client, base + "/contact", CONTACT_STEP).status_code == 302
        token = csrf_from(client.get(base + "/contact"))
        client.post(base + "/contact/email/send", data={"csrf_token": token})
        code = _email_code(app, "Info@shop.example")
        assert client.post(base + "/contact/email/check", data={"csrf_token": token, "code": code}).status_code == 302
        client.post(base + "/contact/landline/call", data={"csrf_token": token})
        assert client.post(base + "/contact/landline/check",
                           data={"csrf_token": token, "code": landline_code(app)}).status_code == 302
        to_invoice = client.post(base + "/postal/invoice", data={"csrf_token": token})
        pay_at_sandbox(client, path_of(to_invoice.headers["Location"]))
        with app.app_context():
            letter = db.session.scalars(select(PostLetter).order_by(PostLetter.id.desc())).first()
            code = letter.body.splitlines()[-1]
        assert client.post(base + "/postal/check", data={"csrf_token": token, "code": code}).status_code == 302
    if pay:
        token = csrf_from(client.get("/panel"))
        to_invoice = client.post(base + "/payment", data={"csrf_token": token, "size": size})
        pay_at_sandbox(client, path_of(to_invoice.headers["Location"]))
    token = csrf_from(client.get(base))
    return client.post(base + "/submit", data={"csrf_token": token})
