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
