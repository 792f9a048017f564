"""Arbitration through its pages: the buyer pays at the sandbox gateway and comes back to the follow page,
both sides send evidence, staff filter and an arbiter (only an arbiter) rules; files stay private."""
import io
from urllib.parse import urlsplit

from sqlalchemy import select

from seal_server.complaints.models import Complaint
from seal_server.extensions import db
from seal_server.tasks import tick
from tests.accounts.conftest import csrf_from, sign_in
from tests.complaints.conftest import PDF, form, sms_code
from tests.complaints.test_pages import _seal
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _buyer_with_a_rejected_answer(app, clock):
    """A buyer's client following a complaint (with a receipt attached) that the owner answered and the
    buyer rejected; the owner's signed-in client; the tracking code."""
    from seal_server.accounts.models import Account, Owner
    from seal_server.complaints import service

    public_id, code = _seal(app, clock)
    buyer = app.test_client()
    path = f"/complaints/new/{public_id}?code={code}"
    filed = buyer.post(path, data={"csrf_token": csrf_from(buyer.get(path)), **form(clock.now),
                                   "attachments": [(io.BytesIO(PDF), "receipt.pdf")]},
                       content_type="multipart/form-data")
    assert filed.status_code == 302, filed.get_data(as_text=True)
    confirm = filed.headers["Location"]
    page = buyer.get(confirm)
    with app.app_context():
        one_time = sms_code()
    assert "شکایت شما باز شد" in buyer.post(confirm, data={"csrf_token": csrf_from(page), "code": one_time}
                                            ).get_data(as_text=True)
    owner = app.test_client()
    sign_in(owner)
    with app.app_context():
        account = db.session.scalar(select(Account))
        for person in db.session.scalars(select(Owner)):
            person.account_id = account.id
        db.session.commit()
        complaint = db.session.scalar(select(Complaint))
        service.answer(complaint.id, account.id, "We posted it last week already.", now=clock.now)
        tracking = complaint.tracking_code
    view = buyer.get(f"/complaints/{tracking}")
    assert buyer.post(f"/complaints/{tracking}", data={"csrf_token": csrf_from(view), "verdict": "reject"}
                      ).status_code == 302
    return buyer, owner, tracking


def test_the_buyer_pays_both_sides_file_evidence_and_an_arbiter_rules(app, clock, staff_client):
    buyer, owner, tracking = _buyer_with_a_rejected_answer(app, clock)
    page = buyer.get(f"/complaints/{tracking}?lang=en")
    text = page.get_data(as_text=True)
    assert "Or: online arbitration" in text and "225,000 toman" in text and "2 to 20 percent" in text
    to_bank = buyer.post(f"/complaints/{tracking}/arbitration", data={"csrf_token": csrf_from(page)})
    assert to_bank.status_code == 302 and "/billing/sandbox/" in to_bank.headers["Location"]
    bank = path_of(to_bank.headers["Location"])
    back = buyer.post(bank, data={"csrf_token": csrf_from(buyer.get(bank)), "outcome": "paid"})
    callback = path_of(back.headers["Location"])
    assert callback.startswith("/complaints/arbitration/paid/")
    landed = buyer.get(callback + "&lang=en")
    assert landed.status_code == 302
    shown = buyer.get(landed.headers["Location"]).get_data(as_text=True)
    assert "The arbitration fee is paid" in shown and "72 hours are running" in shown
    assert buyer.get(callback).status_code == 302  # a replayed callback records nothing more
    again = buyer.post(f"/complaints/{tracking}/arbitration?lang=en", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 400 and "already been paid" in again.get_data(as_text=True)
    again = buyer.post(f"/complaints/{tracking}/arbitration", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 400 and "هزینهٔ داوری این شکایت پیش‌تر پرداخت شده است" in again.get_data(as_text=True)

    # the buyer's evidence, with a file that is not what its name says, then a good one
    bad = buyer.post(f"/complaints/{tracking}/arbitration/evidence?lang=en", data={
        "csrf_token": csrf_from(page), "evidence": "A photo of what arrived in the box.",
        "evidence_files": [(io.BytesIO(b"GIF89a not allowed"), "photo.png")]}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "Only PDF, JPEG and PNG" in bad.get_data(as_text=True)
    assert "A photo of what arrived in the box." in bad.get_data(as_text=True)
    assert buyer.post(f"/complaints/{tracking}/arbitration/evidence", data={
        "csrf_token": csrf_from(page), "evidence": "A photo of what arrived in the box.",
        "evidence_files": [(io.BytesIO(PDF), "box.pdf")]}, content_type="multipart/form-data").status_code == 302

    # the owner sees the buyer's files and replies within the 72 hours; a stranger gets nothing
    panel = owner.get("/panel/complaints?lang=en")
    listed = panel.get_data(as_text=True)
    assert "Online arbitration" in listed and "receipt.pdf" in listed and "box.pdf" in listed
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        complaint_id, first_file = complaint.id, complaint.files[0].id
    download = owner.get(f"/panel/complaints/{complaint_id}/files/{first_file}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert buyer.get(f"/complaints/{tracking}/files/{first_file}").status_code == 200
    assert app.test_client().get(f"/complaints/{tracking}/files/{first_file}").status_code == 404
    stranger = app.test_client()
    sign_in(stranger, national_code="0084575948", mobile="09129999999")
    assert stranger.get(f"/panel/complaints/{complaint_id}/files/{first_file}").status_code == 404
    refused = stranger.post(f"/panel/complaints/{complaint_id}/arbitration/evidence?lang=en", data={
        "csrf_token": csrf_from(stranger.get("/complaints/follow")), "evidence": "I am not this shop at all."})
    assert refused.status_code == 400 and "Only the seal" in refused.get_data(as_text=True)
    replied = owner.post(f"/panel/complaints/{complaint_id}/arbitration/evidence", data={
        "csrf_token": csrf_from(panel), "evidence": "The courier's proof of delivery."})
    assert replied.status_code == 302

    # the shop's 72 hours pass; staff see it awaiting a ruling, then overdue
    clock.advance(hours=73)
    with app.app_context():
        tick(clock.now)
    supervisor, _ = staff_client("supervisor")
    waiting = supervisor.get("/staff/complaints?arbitration=awaiting_ruling&lang=en").get_data(as_text=True)
    assert tracking in waiting and "awaiting the arbiter" in waiting
    assert tracking not in supervisor.get("/staff/complaints?arbitration=overdue").get_data(as_text=True)
    clock.advance(days=8)
    supervisor, _ = staff_client("supervisor")  # a new sign-in: console sessions end sooner than 8 days
    assert tracking in supervisor.get("/staff/complaints?arbitration=overdue").get_data(as_text=True)
    case = supervisor.get(f"/staff/complaints/{complaint_id}?lang=en")
    assert "Only an arbiter records the ruling." in case.get_data(as_text=True)
    not_allowed = supervisor.post(f"/staff/complaints/{complaint_id}/ruling?lang=en", data={
        "csrf_token": csrf_from(case), "outcome": "shop", "reasons": "The shop delivered what was ordered."})
    assert not_allowed.status_code == 403 and "Your role does not allow this." in not_allowed.get_data(as_text=True)

    arbiter, arbiter_member = staff_client("arbiter")
    case = arbiter.get(f"/staff/complaints/{complaint_id}?lang=en")
    assert "Record the ruling" in case.get_data(as_text=True) and "box.pdf" in case.get_data(as_text=True)
    too_much = arbiter.post(f"/staff/complaints/{complaint_id}/ruling?lang=en", data={
        "csrf_token": csrf_from(case), "outcome": "partial", "award": "۲٬۰۰۰٬۰۰۰",
        "reasons": "Half of the order arrived broken."})
    assert too_much.status_code == 400 and 'value="۲٬۰۰۰٬۰۰۰"' in too_much.get_data(as_text=True)
    negative = arbiter.post(f"/staff/complaints/{complaint_id}/ruling", data={
        "csrf_token": csrf_from(case), "outcome": "partial", "award": "-۵۰۰",
        "reasons": "Half of the order arrived broken."})
    assert negative.status_code == 400 and "مبلغ رأی باید بیشتر از صفر باشد" in negative.get_data(as_text=True)
    assert "cannot be more than the transaction" in too_much.get_data(as_text=True)
    assert "Half of the order arrived broken." in too_much.get_data(as_text=True)
    # a ruling moves money: five minutes after the arbiter's last code it asks for a new one, keeping the form
    clock.advance(minutes=11)
    stale = arbiter.post(f"/staff/complaints/{complaint_id}/ruling?lang=en", data={
        "csrf_token": csrf_from(case), "outcome": "partial", "award": "۶۰۰٬۰۰۰",
        "reasons": "Half of the order arrived broken."})
    assert stale.status_code == 400 and "Type a current code" in stale.get_data(as_text=True)
    assert 'value="۶۰۰٬۰۰۰"' in stale.get_data(as_text=True)
    wrong = arbiter.post(f"/staff/complaints/{complaint_id}/ruling?lang=en", data={
        "csrf_token": csrf_from(case), "outcome": "partial", "award": "۶۰۰٬۰۰۰", "code": "000000",
        "reasons": "Half of the order arrived broken."})
    assert wrong.status_code == 400 and "The code is wrong" in wrong.get_data(as_text=True)
    ruled = arbiter.post(f"/staff/complaints/{complaint_id}/ruling", data={
        "csrf_token": csrf_from(case), "outcome": "partial", "award": "۶۰۰٬۰۰۰",
        "reasons": "Half of the order arrived broken.", "code": arbiter_member.code(app, clock.now)})
    assert ruled.status_code == 302
    assert "Partial: the shop returns 600,000 toman" in buyer.get(f"/complaints/{tracking}?lang=en").get_data(
        as_text=True)
    assert "Partial: the shop returns 600,000 toman" in owner.get("/panel/complaints?lang=en").get_data(as_text=True)
    assert "ruled" in supervisor.get("/staff/complaints?arbitration=any&lang=en").get_data(as_text=True)


def test_arbitration_is_not_offered_before_the_complaint_may_go_further(app, clock):
    public_id, code = _seal(app, clock)
    buyer = app.test_client()
    path = f"/complaints/new/{public_id}?code={code}"
    filed = buyer.post(path, data={"csrf_token": csrf_from(buyer.get(path)), **form(clock.now)})
    page = buyer.get(filed.headers["Location"])
    with app.app_context():
        one_time = sms_code()
    buyer.post(filed.headers["Location"], data={"csrf_token": csrf_from(page), "code": one_time})
    with app.app_context():
        tracking = db.session.scalar(select(Complaint.tracking_code))
    view = buyer.get(f"/complaints/{tracking}?lang=en")
    assert "online arbitration" not in view.get_data(as_text=True)
    token = csrf_from(buyer.get("/complaints/follow"))
    early = buyer.post(f"/complaints/{tracking}/arbitration?lang=en", data={"csrf_token": token})
    assert early.status_code == 400 and "six days" in early.get_data(as_text=True)
    stranger = app.test_client()
    sent_away = stranger.post(f"/complaints/{tracking}/arbitration", data={
        "csrf_token": csrf_from(stranger.get("/complaints/follow"))})
    assert sent_away.status_code == 302 and "/complaints/follow" in sent_away.headers["Location"]
    assert buyer.get("/complaints/arbitration/paid/000000-000000?Authority=S1&Status=OK").status_code == 404


def test_the_shop_records_a_settlement_and_the_buyer_closes_the_case(app, clock, staff_client):
    buyer, owner, tracking = _buyer_with_a_rejected_answer(app, clock)
    with app.app_context():
        from tests.complaints.conftest import arbitrate

        complaint = db.session.scalar(select(Complaint))
        arbitrate(complaint, clock.now)
        complaint_id, receipt = complaint.id, complaint.files[0].id
    panel = owner.get("/panel/complaints?lang=en")
    assert "How you settled with the buyer" in panel.get_data(as_text=True)
    short = owner.post(f"/panel/complaints/{complaint_id}/arbitration/settlement?lang=en", data={
        "csrf_token": csrf_from(panel), "settlement": "done"})
    assert short.status_code == 400 and "Write 10 to 4000 characters." in short.get_data(as_text=True)
    assert ">done</textarea>" in short.get_data(as_text=True)
    assert owner.post(f"/panel/complaints/{complaint_id}/arbitration/settlement", data={
        "csrf_token": csrf_from(panel), "settlement": "We refunded the whole amount to your card today."}
    ).status_code == 302
    page = buyer.get(f"/complaints/{tracking}?lang=en")
    assert "We refunded the whole amount" in page.get_data(as_text=True)
    closed = buyer.post(f"/complaints/{tracking}/arbitration/settled", data={"csrf_token": csrf_from(page)})
    assert closed.status_code == 302
    again = buyer.post(f"/complaints/{tracking}/arbitration/settled?lang=en", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 409 and "already closed" in again.get_data(as_text=True)
    assert "closed without a ruling" in owner.get("/panel/complaints?lang=en").get_data(as_text=True)
    support, _ = staff_client("support")
    case = support.get(f"/staff/complaints/{complaint_id}?lang=en").get_data(as_text=True)
    assert "closed by settlement" in case and "Record the ruling" not in case
    download = support.get(f"/staff/complaints/{complaint_id}/files/{receipt}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert support.get(f"/staff/complaints/{complaint_id + 1}/files/{receipt}").status_code == 404
    reviewer, _ = staff_client("reviewer")  # no complaint.view
    assert reviewer.get(f"/staff/complaints/{complaint_id}/files/{receipt}").status_code == 403


def test_with_a_real_gateway_the_follow_page_lets_the_fee_form_reach_it(app, clock):
    app.config.update(SEAL_PAYMENT_GATEWAY="zarinpal", SEAL_ZARINPAL_BASE_URL="https://payment.zarinpal.com")
    buyer, _, tracking = _buyer_with_a_rejected_answer(app, clock)
    csp = buyer.get(f"/complaints/{tracking}").headers["Content-Security-Policy"]
    assert "form-action 'self' https://payment.zarinpal.com" in csp
