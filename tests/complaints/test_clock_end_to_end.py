"""File, move the clock through every window, and read what reached the real SMTP server and webhook receiver."""
import json
from datetime import timedelta

from sqlalchemy import select

from seal_server.cli import cli
from seal_server.complaints import service
from seal_server.events import worker
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.seals import service as seals
from seal_server.seals.record import record_for
from seal_server.tasks import tick
from tests.complaints.conftest import BUYER, form, sms_code
from tests.events.conftest import app_config, receiver, smtp  # noqa: F401  (fixtures)


def test_the_clock_from_filing_to_suspension_and_back(app, ctx, now, smtp, receiver, sealed):
    seal, account = sealed
    seal.business.email = "owner@shop.example"
    db.session.commit()
    added = app.test_cli_runner().invoke(cli, ["webhook", "add", "--seal", seal.public_id, "--url", receiver.url,
                                               "--json"])
    assert json.loads(added.output)["secret"]
    complaints = []
    for index in range(2):
        pending = service.file_complaint(seal, form(now, payment_ref=f"40000{index}"), ip="127.0.0.1", now=now,
                                         today=now.date())
        complaints.append(service.confirm_filing(pending.tracking_code, sms_code(), now=now))
    for hours, count in ((71, 0), (72, 2), (120, 4)):
        tick(now + timedelta(hours=hours))
        db.session.refresh(seal)
        assert seal.status == "active" and record_for(seal)["non_responses"] == count
    result = tick(now + timedelta(hours=144))
    assert result["complaints"]["held"] == [seal.public_id]
    db.session.refresh(seal)
    assert seal.status == "suspended" and record_for(seal)["non_responses"] == 6
    service.answer(complaints[0].id, account.id, "We refunded the payment today.", now=now + timedelta(hours=150))
    db.session.refresh(seal)
    assert seal.status == "active" and seals.holds_of(seal) == set()
    worker.deliver_due(now + timedelta(hours=150))

    subjects = [message["Subject"] for message in smtp.messages]
    assert sum("شکایت تازه" in subject for subject in subjects) == 2
    assert sum("تعلیق شد" in subject for subject in subjects) == 1
    kinds = [hit["json"]["type"] for hit in receiver.hits]
    assert kinds == ["complaint.filed", "complaint.filed", "seal.suspended", "complaint.answered",
                     "seal.reinstated"]
    assert receiver.hits[2]["json"]["data"]["record"]["non_responses"] == 6
    buyer_sms = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == BUYER)
                                   .order_by(OutboxMessage.id.desc())).first()
    assert complaints[0].tracking_code in buyer_sms and "پاسخ" in buyer_sms
    assert record_for(seal)["answer_rate"] == 50 and record_for(seal)["answered_on_time"] == 0


def test_arbitration_reaches_the_shop_by_email_and_webhook_and_the_buyer_by_sms(app, ctx, now, smtp, receiver,
                                                                                 sealed, tmp_path):
    from seal_server.complaints import arbitration
    from seal_server.staff.models import Staff
    from tests.complaints.conftest import arbitrate
    from tests.staff.conftest import ARBITER_CODE, enrol

    app.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    seal, account = sealed
    seal.business.email = "owner@shop.example"
    db.session.commit()
    app.test_cli_runner().invoke(cli, ["webhook", "add", "--seal", seal.public_id, "--url", receiver.url])
    pending = service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date())
    complaint = service.confirm_filing(pending.tracking_code, sms_code(), now=now)
    service.answer(complaint.id, account.id, "We posted it on time, please wait.", now=now)
    service.verdict(complaint, False, now=now)
    case = arbitrate(complaint, now)
    tick(now + timedelta(hours=72))
    arbiter = db.session.get(Staff, enrol(app, ARBITER_CODE, ["arbiter"], now).id)
    arbitration.rule(case.id, arbiter, "buyer", "", "The shop never showed that it delivered.",
                     now=now + timedelta(hours=73))
    worker.deliver_due(now + timedelta(hours=73))

    subjects = [message["Subject"] for message in smtp.messages]
    assert sum("داوری برخط برای شکایت" in subject for subject in subjects) == 1
    assert sum("رأی داوری شکایت" in subject and "Arbitration ruling" in subject for subject in subjects) == 1
    kinds = [hit["json"]["type"] for hit in receiver.hits]
    assert kinds[-2:] == ["arbitration.opened", "arbitration.ruled"]
    assert receiver.hits[-1]["json"]["data"]["details"] | {"tracking_code": None} == {
        "award": 12_500_000, "outcome": "buyer", "domain": seal.domain, "tracking_code": None}
    buyer_sms = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == BUYER)
                                   .order_by(OutboxMessage.id.desc())).first()
    assert "رأی داوری شکایت" in buyer_sms and complaint.tracking_code in buyer_sms
