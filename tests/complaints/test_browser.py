"""In headless Chromium: a buyer files from the verification page, confirms by SMS code, reads the owner's
answer, rejects it, and refers the complaint to a competent body with its generated letter."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.clock import utcnow
from seal_server.complaints import service
from seal_server.complaints.models import Complaint
from seal_server.extensions import db
from seal_server.seals.service import urls_for
from tests.complaints.conftest import form, sms_code
from tests.factories import issue

pytestmark = pytest.mark.browser


def test_a_buyer_files_follows_rejects_and_refers(app, live_server, page):
    now = utcnow()
    with app.app_context():
        seal = issue(now=now - timedelta(days=1))
        verify_url = urls_for(seal, live_server.url)["verify_url"]
    page.goto(verify_url)
    page.click("text=ثبت شکایت")
    page.click("text=ثبت برخط شکایت")
    for name, value in form(now).items():
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
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        tracking = complaint.tracking_code
        assert complaint.state == "open"
        owner = complaint.seal.business.owner
        from seal_server.accounts.models import Account

        account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
        db.session.add(account)
        db.session.flush()
        owner.account_id = account.id
        db.session.commit()
        service.answer(complaint.id, account.id, "کالا ارسال شده است؛ لطفاً صبر کنید.", now=utcnow())
    page.click("text=پیگیری شکایت")
    assert "کالا ارسال شده است" in page.content()
    page.click("button[value=reject]")
    assert "خریدار پاسخ را نپذیرفت" in page.content()
    page.check("input[name=body][value=guild]")
    page.click("text=ارجاع شکایت و نوشتن نامه")
    assert "سازمان نظام صنفی رایانه‌ای" in page.content()
    with page.expect_download() as download:
        page.click("text=دریافت نامهٔ ارجاع (PDF)")
    assert download.value.suggested_filename == f"referral-{tracking}.pdf"
