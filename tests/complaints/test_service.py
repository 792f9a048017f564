"""Filing, the bank's confirmation, answers, verdicts and the clock's sweep, through the service doors."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server.complaints import service
from seal_server.complaints.models import Complaint
from seal_server.extensions import db
from seal_server.integrations import bank_inquiry
from seal_server.seals import service as seals
from seal_server.seals.record import record_for
from seal_server.tasks import tick
from tests.complaints.conftest import form, sms_code
from tests.factories import issue


def file_and_confirm(seal, now, **changes):
    complaint = service.file_complaint(seal, form(now, **changes), ip="127.0.0.1", now=now, today=now.date())
    return service.confirm_filing(complaint.tracking_code, sms_code(), now=now)


def test_a_confirmed_complaint_opens_the_clock_and_tells_the_owner(sealed, now):
    seal, _ = sealed
    pending = service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date())
    assert pending.state == "pending" and pending.amount == 12_500_000
    assert record_for(seal)["complaints_total"] == 0  # nothing is opened before the code and the bank
    complaint = service.confirm_filing(pending.tracking_code, sms_code(), now=now)
    assert complaint.state == "open" and complaint.deadline_1 == now + timedelta(hours=72)
    from seal_server.events.models import Event

    assert db.session.scalar(select(Event.kind).order_by(Event.id.desc())) == "complaint.filed"


def test_the_bank_denying_opens_nothing(sealed, now):
    seal, _ = sealed
    bank_inquiry.set_sandbox_answer("999999", "deny", now)
    complaint = file_and_confirm(seal, now, payment_ref="999999")
    assert complaint.state == "unconfirmed"
    assert record_for(seal) == {"complaints_total": 0, "complaints_open": 0, "non_responses": 0,
                                "nonconformities_open": 0, "answered_on_time": 0, "answer_rate": None}


@pytest.mark.parametrize("field, value", [
    ("amount", "0"), ("amount", "-5"), ("amount", "99999999999"), ("card_last4", "12a4"), ("card_last4", "123"),
    ("payment_ref", "12"), ("paid_on", "1500/01/01"), ("paid_on", "yesterday"), ("mobile", "0912"),
    ("description", "bad"),
])
def test_bad_input_opens_nothing(sealed, now, field, value):
    seal, _ = sealed
    with pytest.raises(service.ComplaintError) as caught:
        service.file_complaint(seal, form(now, **{field: value}), ip="127.0.0.1", now=now, today=now.date())
    assert field in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_second_complaint_for_the_same_payment_and_a_revoked_seal_are_refused(sealed, now):
    seal, _ = sealed
    file_and_confirm(seal, now)
    with pytest.raises(service.ComplaintError) as caught:
        service.file_complaint(seal, form(now), ip="127.0.0.2", now=now, today=now.date())
    assert "payment_ref" in caught.value.errors
    seals.revoke(seal.public_id, now=now, actor="staff:1", reason="fraud")
    with pytest.raises(service.ComplaintError):
        service.file_complaint(seal, form(now, payment_ref="555555"), ip="127.0.0.2", now=now, today=now.date())


def test_filing_is_limited_per_mobile(sealed, now):
    seal, _ = sealed
    for index in range(3):
        service.file_complaint(seal, form(now, payment_ref=f"77777{index}"), ip=f"10.0.0.{index}", now=now,
                               today=now.date())
    with pytest.raises(service.ComplaintError) as caught:
        service.file_complaint(seal, form(now, payment_ref="888888"), ip="10.0.0.9", now=now, today=now.date())
    assert "mobile" in caught.value.errors


def test_a_wrong_code_is_refused_and_tries_run_out(sealed, now):
    seal, _ = sealed
    pending = service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date())
    right = sms_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(service.CODE_TRIES):
        with pytest.raises(service.ComplaintError):
            service.confirm_filing(pending.tracking_code, wrong, now=now)
    with pytest.raises(service.ComplaintError):
        service.confirm_filing(pending.tracking_code, right, now=now)
    assert db.session.get(Complaint, pending.id).state == "pending"


def test_only_the_owner_answers_and_the_buyer_gives_a_verdict(sealed, now):
    seal, account = sealed
    complaint = file_and_confirm(seal, now)
    with pytest.raises(service.ComplaintError):
        service.answer(complaint.id, account.id + 1, "We refunded you in full today.", now=now)
    service.answer(complaint.id, account.id, "We refunded you in full today.", now=now + timedelta(hours=5))
    with pytest.raises(service.ComplaintError):
        service.answer(complaint.id, account.id, "A second answer is not taken.", now=now)
    service.resend_code(complaint.tracking_code, now=now + timedelta(hours=6))
    followed = service.follow(complaint.tracking_code, sms_code(), now=now + timedelta(hours=6))
    service.verdict(followed, True, now=now + timedelta(hours=6))
    with pytest.raises(service.ComplaintError):
        service.verdict(followed, False, now=now + timedelta(hours=7))
    assert record_for(seal)["answered_on_time"] == 1 and record_for(seal)["answer_rate"] == 100


def test_five_non_responses_suspend_the_seal_until_answered(sealed, now):
    seal, account = sealed
    first = file_and_confirm(seal, now, payment_ref="100001")
    second = file_and_confirm(seal, now + timedelta(hours=1), payment_ref="100002")
    result = tick(now + timedelta(hours=72))
    assert result["complaints"]["non_responses"] == 1 and seal.status == "active"
    assert tick(now + timedelta(hours=72))["complaints"]["non_responses"] == 0  # idempotent
    tick(now + timedelta(hours=121))
    assert record_for(seal)["non_responses"] == 4
    result = tick(now + timedelta(hours=145))
    assert result["complaints"] == {"non_responses": 2, "held": [seal.public_id], "lifted": [], "abandoned_files": 0}
    db.session.refresh(seal)
    assert seal.status == "suspended" and seals.holds_of(seal) == {"complaints"}
    service.answer(second.id, account.id, "Sorry, we have refunded you.", now=now + timedelta(hours=146))
    db.session.refresh(seal)
    assert seal.status == "active"  # three unanswered non-responses remain: under five
    assert record_for(seal) | {"nonconformities_open": 0} == {
        "complaints_total": 2, "complaints_open": 2, "non_responses": 6, "nonconformities_open": 0,
        "answered_on_time": 0, "answer_rate": 50}
    assert service.escalable(db.session.get(Complaint, first.id), now + timedelta(hours=146))


def test_a_staff_hold_outlives_the_complaints_hold(sealed, now):
    seal, account = sealed
    complaints = [file_and_confirm(seal, now, payment_ref=f"20000{index}") for index in range(2)]
    tick(now + timedelta(hours=145))
    seals.suspend(seal.public_id, now=now + timedelta(hours=145), actor="staff:1", reason="fraud reports")
    for complaint in complaints:
        service.answer(complaint.id, account.id, "Refunded and apologised.", now=now + timedelta(hours=146))
    db.session.refresh(seal)
    assert seal.status == "suspended" and seals.holds_of(seal) == {"staff"}


def test_concurrent_ticks_count_each_miss_once_and_suspend_once(app, now):
    import threading

    from sqlalchemy.exc import OperationalError

    from seal_server.audit import AuditEvent
    from seal_server.seals.models import Seal
    from tests.factories import issue

    with app.app_context():
        seal = issue(now=now)
        public_id = seal.public_id
        for index in range(2):
            complaint = service.file_complaint(seal, form(now, payment_ref=f"30000{index}"), ip="127.0.0.1",
                                               now=now, today=now.date())
            service.confirm_filing(complaint.tracking_code, sms_code(), now=now)
    later = now + timedelta(hours=150)
    barrier = threading.Barrier(4)

    def run():
        with app.app_context():
            barrier.wait()
            for _ in range(10):
                try:
                    service.sweep(later)
                    break
                except OperationalError:  # SQLite's one writer: the next tick does it
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        assert db.session.scalars(select(Complaint.non_responses)).all() == [3, 3]
        assert db.session.scalar(select(Seal.status).where(Seal.public_id == public_id)) == "suspended"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "seal.suspended")) == 1


def test_referral_to_a_competent_body_writes_a_persian_letter_once(sealed, now):
    seal, _ = sealed
    complaint = file_and_confirm(seal, now)
    with pytest.raises(service.ComplaintError):
        service.refer(complaint, "guild", now=now + timedelta(hours=100))  # the six days are not over
    later = now + timedelta(hours=145)
    tick(later)
    with pytest.raises(service.ComplaintError) as caught:
        service.refer(complaint, "nobody", now=later)
    assert "body" in caught.value.errors
    service.refer(complaint, "consumer", now=later)
    assert complaint.referral_pdf.startswith(b"%PDF") and complaint.referred_to == "consumer"
    letter = service.referral_letter(complaint, "consumer")
    assert letter.recipient == "سازمان حمایت مصرف‌کنندگان و تولیدکنندگان" and seal.domain in letter.lines[0]
    assert "۱٬۲۵۰٬۰۰۰" in letter.lines[1] or "۱,۲۵۰,۰۰۰" in letter.lines[1]
    with pytest.raises(service.ComplaintError):
        service.refer(complaint, "guild", now=later)


def test_an_open_complaint_stops_a_renewal(sealed, now):
    from seal_server.renewals import service as renewals

    seal, _ = sealed
    near_expiry = seal.expires_at - timedelta(days=10)
    standing = {c.name: c for c in renewals.conditions(seal, near_expiry)}
    assert standing["complaints"].holds
    file_and_confirm(seal, now)
    standing = {c.name: c for c in renewals.conditions(seal, near_expiry)}
    assert not standing["complaints"].holds and standing["complaints"].values == {"count": 1}


def test_the_files_of_a_filing_never_confirmed_are_deleted_after_two_days(app, ctx, now):
    """Anyone may file with any mobile: what they attach must not stay in the upload storage for ever."""
    from seal_server.complaints.models import ComplaintFile
    from seal_server.onboarding.storage import storage_from_config
    from tests.complaints.conftest import PDF

    seal = issue(now=now)
    pending = service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date(),
                                     attachments=[(PDF, "receipt.pdf")])
    kept = service.file_complaint(seal, form(now, payment_ref="123456789099", mobile="09351112244"),
                                  ip="127.0.0.2", now=now, today=now.date(), attachments=[(PDF, "receipt.pdf")])
    service.confirm_filing(kept.tracking_code, sms_code("09351112244"), now=now)
    key = db.session.scalar(select(ComplaintFile.key).where(ComplaintFile.complaint_id == pending.id))
    storage = storage_from_config(app.config)
    assert storage.read(key) == PDF
    assert service.drop_abandoned_files(now + timedelta(days=1)) == 0
    assert service.drop_abandoned_files(now + service.PENDING_FILES_KEPT) == 1
    assert db.session.scalar(select(func.count()).select_from(ComplaintFile).where(
        ComplaintFile.complaint_id == pending.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(ComplaintFile).where(
        ComplaintFile.complaint_id == kept.id)) == 1
    with pytest.raises(FileNotFoundError):
        storage.read(key)
