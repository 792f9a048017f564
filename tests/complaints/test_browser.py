"""In headless Chromium, one walk from filing to an arbitration ruling: a buyer files from the verification
page, confirms by SMS code, reads the owner's answer and rejects it, chooses online arbitration over a
competent body, pays the fee at the sandbox gateway and comes back to the follow page; the shop's 72 hours
pass on the test clock; an arbiter signs in to the console and rules partially; the buyer reads the ruling.
(The referral path and its PDF letter are walked over HTTP in test_pages.py.)"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.complaints import service
from seal_server.complaints.models import Complaint
from seal_server.extensions import db
from seal_server.seals.service import urls_for
from seal_server.tasks import tick
from tests.complaints.conftest import form, sms_code
from tests.factories import issue
from tests.staff.conftest import ARBITER_CODE, PASSWORD, clock, enrol  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.browser


def test_a_buyer_files_rejects_the_answer_and_an_arbiter_rules(app, live_server, page, browser, clock):
    with app.app_context():
        seal = issue(now=clock.now - timedelta(days=1))
        verify_url = urls_for(seal, live_server.url)["verify_url"]
    page.goto(verify_url)
    page.click("text=ثبت شکایت")
    page.click("text=ثبت برخط شکایت")
    for name, value in form(clock.now).items():
        if name == "description":
            page.fill("textarea[name=description]", value)
        else:
            page.fill(f"input[name={name}]", value)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/[A-Z0-9]+/confirm"))
    live_server.wait_for_outbox()
    with app.app_context():
        code = sms_code()
    page.fill("input[name=code]", code)
    page.click("form.stacked button[type=submit]")
    assert "شکایت شما باز شد" in page.content()

    with app.app_context():  # the owner answers from the panel (walked in test_pages.py)
        complaint = db.session.scalar(select(Complaint))
        account = Account(national_code="0013542419", mobile="09121234567", created_at=clock.now)
        db.session.add(account)
        db.session.flush()
        complaint.seal.business.owner.account_id = account.id
        db.session.commit()
        service.answer(complaint.id, account.id, "کالا ارسال شده است؛ لطفاً صبر کنید.", now=clock.now)
        complaint_id = complaint.id
    page.click("text=پیگیری شکایت")
    assert "کالا ارسال شده است" in page.content()
    page.click("button[value=reject]")
    assert "سازمان نظام صنفی رایانه‌ای" in page.content()  # both paths are offered; the buyer takes arbitration
    assert "۲۲۵٬۰۰۰ تومان" in page.content()
    page.click("text=پرداخت هزینهٔ داوری")
    page.wait_for_url(re.compile(r"/billing/sandbox/"))
    page.click("button[value=paid]")
    page.wait_for_url(re.compile(r"/complaints/[A-Z0-9]+$"))
    assert "هزینهٔ داوری پرداخت شد" in page.content() and "۷۲ ساعت فروشگاه در جریان است" in page.content()

    clock.advance(hours=73)
    with app.app_context():
        assert tick(clock.now)["arbitrations_to_rule"] == 1
    member = enrol(app, ARBITER_CODE, ["arbiter"], clock.now, name="Arbiter")
    arbiter = browser.new_context().new_page()
    arbiter.goto(f"{live_server.url}/staff/sign-in")
    arbiter.fill("input[name=national_code]", ARBITER_CODE)
    arbiter.fill("input[name=password]", PASSWORD)
    arbiter.fill("input[name=code]", member.code(app, clock.now))
    arbiter.click("form.stacked button[type=submit]")
    arbiter.wait_for_url(re.compile(r"/staff$"))
    arbiter.goto(f"{live_server.url}/staff/complaints?arbitration=awaiting_ruling")
    arbiter.click(f"a[href^='/staff/complaints/{complaint_id}']")
    arbiter.check("input[name=outcome][value=partial]")
    arbiter.fill("input[name=award]", "۶۰۰٬۰۰۰")
    arbiter.fill("textarea[name=reasons]", "نیمی از کالا آسیب‌دیده رسیده است؛ فروشگاه نیمی از مبلغ را برگرداند.")
    arbiter.click("text=ثبت رأی >> nth=-1")
    arbiter.wait_for_url(re.compile(rf"/staff/complaints/{complaint_id}$"))
    assert "رأی جزئی" in arbiter.content()
    arbiter.context.close()

    page.reload()
    assert "رأی جزئی: فروشگاه ۶۰۰٬۰۰۰ تومان به خریدار برمی‌گرداند." in page.content()
    assert "نیمی از کالا آسیب‌دیده رسیده است" in page.content()
