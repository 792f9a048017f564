"""Sign-up asks the mobile registry (the sandbox Shahkar) whether the mobile belongs to the national code."""
import pytest
from sqlalchemy import func, select

from seal_server.accounts import service
from seal_server.accounts.models import Account, OtpChallenge
from seal_server.extensions import db
from seal_server.integrations import checks
from tests.accounts.conftest import MOBILE, NATIONAL_CODE, csrf_from, last_code


def _registry(outcome, now, subject=NATIONAL_CODE):
    checks.set_sandbox_outcome("mobile", outcome, subject, now=now)
    db.session.commit()


@pytest.mark.parametrize("outcome, message", [
    ("fail", "This mobile number is not registered to this national code."),
    ("timeout", "The mobile registry did not answer; please try again in a few minutes."),
])
def test_a_new_account_needs_the_registry_to_confirm_the_mobile(ctx, now, outcome, message):
    _registry(outcome, now)
    with pytest.raises(service.AccountError) as caught:
        service.start_sign_in(NATIONAL_CODE, MOBILE, ip="192.0.2.1", now=now)
    assert caught.value.message.startswith(message)
    assert db.session.scalar(select(func.count()).select_from(OtpChallenge)) == 0, "no code was sent"


def test_the_refusal_is_clear_in_persian_and_keeps_the_form(app, client, now):
    with app.app_context():
        _registry("fail", now)
    page = client.get("/account/enter")
    answer = client.post("/account/enter", data={"csrf_token": csrf_from(page), "national_code": NATIONAL_CODE,
                                                 "mobile": MOBILE})
    html = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400) and f'value="{MOBILE}"' in html and "به نام این کد ملی ثبت نشده" in html


def test_an_existing_account_signs_in_without_asking_the_registry_again(ctx, now):
    service.verify_code(service.start_sign_in(NATIONAL_CODE, MOBILE, ip="192.0.2.1", now=now).id, last_code(),
                        now=now)
    _registry("timeout", now)
    challenge = service.start_sign_in(NATIONAL_CODE, MOBILE, ip="192.0.2.1", now=now.replace(hour=13))
    assert challenge.delivered and db.session.scalar(select(func.count()).select_from(Account)) == 1
