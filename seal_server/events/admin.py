"""Operators' view of the outbox: what is pending, failing or dead, and a retry."""
from sqlalchemy import func, select

from ..audit import record_event
from ..extensions import db
from .models import DEAD, PENDING, SENDING, Delivery

VIEWS = {
    "pending": Delivery.status.in_((PENDING, SENDING)),
    "failed": (Delivery.status == PENDING) & (Delivery.attempts > 0),
    "dead": Delivery.status == DEAD,
}


def counts():
    rows = db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return dict(rows)


def listing(view="pending", limit=100):
    return db.session.scalars(select(Delivery).where(VIEWS[view]).order_by(Delivery.id.desc()).limit(limit)).all()


class NotRetryable(Exception):
    pass


def retry(delivery_id, *, now, actor):
    """Send a dead or failing delivery again now, with a fresh count of attempts."""
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.status not in (DEAD, PENDING):
        raise NotRetryable(f"delivery {delivery_id} is not dead or waiting for a retry")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status, delivery.attempts, delivery.next_attempt_at = PENDING, 0, now
    record_event(actor=actor, action="delivery.retried", subject_type="delivery", subject_id=delivery.id, now=now,
                 before=before, after={"status": PENDING, "attempts": 0})
    db.session.commit()
    return delivery
