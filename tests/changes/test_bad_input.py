"""What an owner can get wrong: the same value, a wrong or expired code, a double submit, a closed seal."""
import threading
from datetime import timedelta

from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.billing.models import Invoice
from seal_server.changes import service
from seal_server.changes.models import SealChange
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.seals import service as seals
from tests.accounts.conftest import sign_in

from .conftest import act, newest_code, request_change, seal_for


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SealChange))


def test_the_value_the_seal_already_has_is_refused_and_the_form_comes_back_filled(app, owner):
    public_id = seal_for(app)
    same = request_change(owner, public_id, "email", email=" INFO@shop.example ")
    text = same.get_data(as_text=True)
    assert same.status_code == 400 and "This is what the seal already has" in text
    assert 'value=" INFO@shop.example "' in text
    bad = request_change(owner, public_id, "names", name_fa="", name_en="نام")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Persian name." in text
    assert "Write the Latin name in Latin letters." in text and 'value="نام"' in text
    assert request_change(owner, public_id, "landline", landline="12").status_code == 400
    persian = owner.get(f"/panel/seals/{public_id}/changes/new/email").get_data(as_text=True)
    assert 'dir="rtl"' in persian and "ثبت تغییر" in persian
    assert count(app) == 0


def test_wrong_expired_and_overused_codes_change_nothing(app, owner):
    public_id = seal_for(app)
    location = request_change(owner, public_id, "email", email="new@shop.example").headers["Location"]
    code = newest_code(app, "new@shop.example")
    short = act(owner, location, "code", code="12")
    assert short.status_code == 400 and "The code has 6 digits." in short.get_data(as_text=True)
    assert 'value="12"' in short.get_data(as_text=True)
    with app.app_context():
        change = db.session.scalar(select(SealChange))
        change.code_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = act(owner, location, "code", code=code)
    assert expired.status_code == 400 and "This code has expired; ask for a new one." in expired.get_data(as_text=True)
    assert act(owner, location, "resend").status_code == 302
    fresh = newest_code(app, "new@shop.example")
    wrong = str((int(fresh) + 1) % 1_000_000).zfill(6)
    for _ in range(5):
        assert "This code is not right." in act(owner, location, "code", code=wrong).get_data(as_text=True)
    locked = act(owner, location, "code", code=fresh)
    assert locked.status_code == 400 and "Too many wrong tries" in locked.get_data(as_text=True)
    for _ in range(2):
        act(owner, location, "resend")
    capped = act(owner, location, "resend")
    assert capped.status_code == 400 and "We have already sent 3 codes" in capped.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SealChange.state)) == "pending"
        assert seals.get_seal(public_id).business.email == "info@shop.example"


def test_the_same_request_twice_gives_one_change_and_another_value_waits_for_it(app, owner):
    public_id = seal_for(app)
    first = request_change(owner, public_id, "names", name_fa="نام تازه", name_en="New Name")
    second = request_change(owner, public_id, "names", name_fa="نام  تازه", name_en="new name")
    assert first.headers["Location"] == second.headers["Location"]
    other = request_change(owner, public_id, "names", name_fa="نام دیگر", name_en="Other Name")
    assert other.status_code == 409 and "already under way" in other.get_data(as_text=True)
    assert count(app) == 1
    assert act(owner, first.headers["Location"], "cancel").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SealChange.state)) == "cancelled"
    assert request_change(owner, public_id, "names", name_fa="نام دیگر", name_en="Other Name").status_code == 302
    assert count(app) == 2


def test_two_identical_requests_at_the_same_moment_give_one_change(app, owner):
    public_id = seal_for(app)
    barrier, results = threading.Barrier(2), []

    def ask():
        with app.app_context():
            seal = seals.get_seal(public_id)
            account = db.session.get(Account, seal.business.owner.account_id)
            barrier.wait()
            try:
                results.append(service.request_change(seal, account, "sales_method", {"sales_method": "both"},
                                                      now=utcnow()).id)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and results[0] == results[1]
    assert count(app) == 1


def test_cancelling_an_address_change_voids_its_unpaid_invoice(app, owner):
    public_id = seal_for(app)
    response = request_change(owner, public_id, "address", province="THR", city="تهران",
                              address="خیابان ولیعصر، پلاک ۴۰۰", postal_code="1234567899")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert act(owner, response.headers["Location"], "cancel").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Invoice.status)) == "void"
    finished = act(owner, response.headers["Location"], "code", code="ABCDEFGHJK")
    assert finished.status_code == 409 and "already finished" in finished.get_data(as_text=True)


def test_revoked_and_expired_seals_register_no_change_and_strangers_see_nothing(app, owner, client):
    revoked, expired = seal_for(app), seal_for(app, domain="late.example")
    with app.app_context():
        seals.revoke(revoked, now=utcnow(), actor="test", reason="fraud")
        seal = seals.get_seal(expired)
        seal.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
        seals.change_status(expired, "expire", now=utcnow(), actor="clock")
    for public_id, message in ((revoked, "This seal has been revoked"), (expired, "renew it before")):
        response = request_change(owner, public_id, "email", email="x@late.example")
        assert response.status_code == 409 and message in response.get_data(as_text=True)
        assert message in owner.get(f"/panel/seals/{public_id}/changes?lang=en").get_data(as_text=True)
    assert count(app) == 0
    stranger = app.test_client()
    sign_in(stranger, national_code="0067749828", mobile="09350000000")
    assert stranger.get(f"/panel/seals/{revoked}/changes").status_code == 404
    assert stranger.get(f"/panel/seals/{revoked}/changes/new/email").status_code == 404
