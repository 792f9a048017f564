"""The complaint pages as a buyer, an owner and staff use them, in both languages."""
from datetime import timedelta

from sqlalchemy import select

from seal_server.complaints.models import Complaint
from seal_server.extensions import db
from seal_server.seals import service as seals
from tests.accounts.conftest import csrf_from, sign_in
from tests.complaints.conftest import form, sms_code
from tests.factories import issue
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)


def _seal(app, clock):
    with app.app_context():
        seal = issue(now=clock.now - timedelta(days=1))
        return seal.public_id, seals.code_for(seal)


def _file(client, public_id, code, clock, **changes):
    path = f"/complaints/new/{public_id}?code={code}"
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf_from(page), **form(clock.now, **changes)})


def _confirm(client, response):
    confirm = response.headers["Location"]
    page = client.get(confirm)
    with client.application.app_context():
        code = sms_code()
    return client.post(confirm, data={"csrf_token": csrf_from(page), "code": code})


def test_the_verification_page_leads_to_filing_and_says_no_complaint_yet(app, client, clock):
    public_id, code = _seal(app, clock)
    verify = client.get(f"/verify/{public_id}?code={code}&lang=en").get_data(as_text=True)
    assert "No complaint has been filed against this shop yet." in verify
    report = client.get(f"/report/{public_id}?code={code}&kind=complaint&lang=en").get_data(as_text=True)
    assert f"/complaints/new/{public_id}?code={code}" in report.replace("&amp;", "&")
    assert client.get(f"/complaints/new/{public_id}?code=wrong").status_code == 404


def test_bad_input_comes_back_filled_in_the_buyers_language(app, client, clock):
    public_id, code = _seal(app, clock)
    response = _file(client, public_id, code, clock, card_last4="12x4", amount="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "چهار رقم آخر کارتی" in page and "مبلغ باید بیشتر از صفر باشد" in page
    assert "123456789012" in page and "The parcel never arrived" in page
    with app.app_context():
        assert db.session.scalar(select(Complaint)) is None


def test_file_confirm_follow_answer_and_accept(app, client, clock):
    public_id, code = _seal(app, clock)
    confirmed = _confirm(client, _file(client, public_id, code, clock))
    text = confirmed.get_data(as_text=True)
    assert confirmed.status_code == 200 and "شکایت شما باز شد" in text
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        tracking = complaint.tracking_code
        assert complaint.state == "open"
    assert "پاسخ‌داده در ۷۲ ساعت" in client.get(f"/verify/{public_id}?code={code}").get_data(as_text=True)

    owner = app.test_client()
    sign_in(owner)
    with app.app_context():
        from seal_server.accounts.models import Account, Owner

        account = db.session.scalar(select(Account))
        for person in db.session.scalars(select(Owner)):
            person.account_id = account.id
        db.session.commit()
    panel = owner.get("/panel/complaints?lang=en")
    assert tracking in panel.get_data(as_text=True) and "hours left" in panel.get_data(as_text=True)
    short = owner.post(f"/panel/complaints/{complaint.id}/answer",
                       data={"csrf_token": csrf_from(panel), "answer": "short"})
    assert short.status_code == 400 and "short" in short.get_data(as_text=True)
    assert client.post(f"/panel/complaints/{complaint.id}/answer", data={
        "csrf_token": csrf_from(client.get("/complaints/follow")), "answer": "not the owner at all"}
    ).status_code == 302  # the buyer is sent to sign in, nothing answered
    done = owner.post(f"/panel/complaints/{complaint.id}/answer",
                      data={"csrf_token": csrf_from(panel), "answer": "We sent the parcel again today."})
    assert done.status_code == 302

    follower = app.test_client()
    clock.advance(minutes=2)  # a fresh code at most once a minute
    page = follower.get(f"/complaints/follow?tracking_code={tracking}")
    sent = follower.post("/complaints/follow/send", data={"csrf_token": csrf_from(page), "tracking_code": tracking})
    assert sent.status_code == 302
    page = follower.get(sent.headers["Location"])
    with app.app_context():
        one_time = sms_code()
    shown = follower.post("/complaints/follow", data={"csrf_token": csrf_from(page), "tracking_code": tracking,
                                                      "code": one_time})
    view = follower.get(shown.headers["Location"] + "?lang=en")
    assert "We sent the parcel again today." in view.get_data(as_text=True)
    accepted = follower.post(f"/complaints/{tracking}", data={"csrf_token": csrf_from(view), "verdict": "accept"})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.get(Complaint, complaint.id).state == "accepted"
    assert app.test_client().get(f"/complaints/{tracking}").status_code == 302  # no code, no complaint


def test_the_bank_sandbox_denies_from_the_staff_page(app, client, clock, staff_client):
    public_id, code = _seal(app, clock)
    support, _ = staff_client("support")
    page = support.get("/staff/bank-sandbox")
    assert page.status_code == 200
    bad = support.post("/staff/bank-sandbox", data={"csrf_token": csrf_from(page), "payment_ref": "12",
                                                   "answer": "deny"})
    assert bad.status_code == 400
    support.post("/staff/bank-sandbox", data={"csrf_token": csrf_from(page), "payment_ref": "424242",
                                              "answer": "deny"})
    response = _confirm(client, _file(client, public_id, code, clock, payment_ref="424242"))
    assert "بانک این پرداخت را تأیید نکرد" in response.get_data(as_text=True)
    listing = support.get("/staff/complaints?state=unconfirmed&lang=en").get_data(as_text=True)
    assert "not confirmed by the bank" in listing and public_id not in listing
    reviewer, _ = staff_client("reviewer")
    assert reviewer.get("/staff/complaints").status_code == 403
    assert reviewer.get("/staff/bank-sandbox").status_code == 403


def test_after_six_days_the_buyer_refers_the_complaint_and_downloads_the_letter(app, client, clock):
    public_id, code = _seal(app, clock)
    _confirm(client, _file(client, public_id, code, clock))
    with app.app_context():
        tracking = db.session.scalar(select(Complaint.tracking_code))
    early = client.get(f"/complaints/{tracking}?lang=en").get_data(as_text=True)
    assert "Take the complaint further" not in early
    clock.advance(hours=145)
    page = client.get(f"/complaints/{tracking}?lang=en")
    assert "Take the complaint further" in page.get_data(as_text=True)
    missing = client.post(f"/complaints/{tracking}/refer", data={"csrf_token": csrf_from(page)})
    assert missing.status_code == 400
    assert client.post(f"/complaints/{tracking}/refer",
                       data={"csrf_token": csrf_from(page), "body": "union"}).status_code == 302
    assert "the national union of virtual businesses" in client.get(
        f"/complaints/{tracking}?lang=en").get_data(as_text=True)
    letter = client.get(f"/complaints/{tracking}/referral.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    # it holds what the buyer typed: a download, never rendered in our origin
    assert letter.headers["Content-Disposition"] == f'attachment; filename="referral-{tracking}.pdf"'
    assert letter.headers["X-Content-Type-Options"] == "nosniff" and letter.headers["Cache-Control"] == "no-store"
    assert letter.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert app.test_client().get(f"/complaints/{tracking}/referral.pdf").status_code == 404
