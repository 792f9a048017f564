"""A real `seal-server worker` process killed with SIGKILL mid-batch loses nothing."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from seal_server.clock import utcnow
from seal_server.events import worker
from seal_server.events.models import SENT, Delivery
from seal_server.extensions import db
from seal_server.seals import service
from tests.conftest import TEST_KEYS
from tests.factories import issue

SEALS = 12


def test_a_killed_worker_loses_nothing_and_resends_at_most_one(app, ctx, receiver, database_url):
    now = utcnow()
    ids = []
    for number in range(SEALS):
        seal = issue(f"shop{number}.example", now=now)
        from seal_server.events import webhooks

        webhooks.add_endpoint(seal, receiver.url, ["seal.suspended"], now=now, actor="cli")
        db.session.commit()
        ids.append(seal.public_id)
    for public_id in ids:
        service.suspend(public_id, now=now, actor="cli", reason="test")
    receiver.delay = 0.3
    env = {**os.environ, "SEAL_DATABASE_URL": database_url, "SEAL_SECRET_KEYS": ",".join(TEST_KEYS),
           "SEAL_FETCH_ALLOW_LOOPBACK": "1", "SEAL_BASE_URL": "http://seal.test", "SEAL_EMAIL_BACKEND": "outbox",
           "SEAL_SMS_BACKEND": "outbox"}
    process = subprocess.Popen([sys.executable, "-m", "seal_server.cli", "worker", "--poll", "0.2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(receiver.hits) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(receiver.hits) >= 3, "the worker process sent nothing"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    killed_at = len(receiver.hits)
    assert killed_at < SEALS, "the worker finished before it was killed; the test proves nothing"
    receiver.delay = 0
    db.session.expire_all()
    worker.deliver_due(utcnow() + worker.LEASE + timedelta(seconds=1))  # after the dead worker's lease
    event_ids = [hit["headers"]["Seal-Event-Id"] for hit in receiver.hits]
    assert len(set(event_ids)) == SEALS, "every message arrived"
    assert len(event_ids) <= SEALS + 1, "at most the one in flight was sent twice"
    statuses = db.session.scalars(select(Delivery.status).where(Delivery.channel == "webhook")).all()
    assert statuses == [SENT] * SEALS
