"""The outbox: emitted in the caller's transaction, delivered by the worker to real servers, once."""
import threading
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.cli import cli
from seal_server.clock import utcnow
from seal_server.events import emit, rules, worker
from seal_server.events.kinds import KINDS
from seal_server.events.messages import parts
from seal_server.events.models import DEAD, PENDING, SENT, Delivery, Event
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.seals import service
from tests.factories import issue

MOBILE = "09121234567"


def _seal(now, **fields):
    return issue(now=now, email="info@shop.example", **fields)


def test_a_rolled_back_change_sends_nothing(ctx, now):
    seal = _seal(now)
    worker.deliver_due(now)
    service.suspend(seal.public_id, now=now, actor="cli", reason="x")
    emit("seal.reinstated", seal, actor="cli", now=now)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "seal.reinstated")) == 0
    assert worker.deliver_due(now) == {"sent": 2, "retrying": 0, "dead": 0}  # the suspension's email and SMS


def test_a_state_change_reaches_a_real_mail_server_in_both_languages(ctx, now, smtp):
    _seal(now)
    assert smtp.messages == [], "nothing is sent before the worker runs"
    assert worker.deliver_due(now) == {"sent": 2, "retrying": 0, "dead": 0}
    (message,) = smtp.messages
    event = db.session.scalar(select(Event).where(Event.kind == "seal.issued"))
    assert message["To"] == "info@shop.example" and message["Seal-Event-Id"] == event.uid
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert plain.index("نماد اعتماد") < plain.index("trust seal"), "Persian first, English second"
    assert 'dir="rtl"' in html and 'lang="fa"' in html and 'dir="ltr"' in html
    assert "shop.example" in message["Subject"]
    sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "sms"))
    assert sms.recipient == MOBILE and "shop.example" in sms.body
    assert worker.deliver_due(now + timedelta(days=1)) == {"sent": 0, "retrying": 0, "dead": 0}, "never twice"


def test_a_mail_server_that_refuses_is_retried_with_backoff_then_delivered_once(ctx, now, smtp):
    _seal(now)
    smtp.refuse = True
    assert worker.deliver_due(now)["retrying"] == 1
    delivery = db.session.scalar(select(Delivery).where(Delivery.channel == "email"))
    assert delivery.status == PENDING and delivery.attempts == 1 and delivery.next_attempt_at > now
    assert "refused" in delivery.last_error or "451" in delivery.last_error
    assert worker.deliver_due(now)["sent"] == 0, "not before its next attempt"
    smtp.refuse = False
    assert worker.deliver_due(now + timedelta(minutes=1))["sent"] == 1
    assert len(smtp.messages) == 1


def test_an_unreachable_mail_server_ends_dead_and_an_operator_can_retry(app, ctx, now, smtp):
    app.config.update(SEAL_SMTP_PORT=1, SEAL_DELIVERY_MAX_ATTEMPTS=3)
    _seal(now)
    moment = now
    for _ in range(3):
        worker.deliver_due(moment)
        moment += timedelta(hours=7)
    delivery = db.session.scalar(select(Delivery).where(Delivery.channel == "email"))
    assert (delivery.status, delivery.attempts) == (DEAD, 3)
    result = app.test_cli_runner().invoke(cli, ["outbox", "--dead"])
    assert f"{delivery.id}\tdead\temail" in result.output
    app.config["SEAL_SMTP_PORT"] = smtp.port
    result = app.test_cli_runner().invoke(cli, ["outbox", "--retry", str(delivery.id)])
    assert result.exit_code == 0, result.output
    assert worker.deliver_due(utcnow())["sent"] == 1 and len(smtp.messages) == 1


def test_concurrent_workers_send_each_delivery_once(app, ctx, now):
    for number in range(60):
        emit("account.sign_in_code", ("account", number), {"minutes": 10}, "public", now=now,
             to={"sms": f"0912{number:07d}"}, secrets={"code": f"{number:06d}"}, audit=False)
    db.session.commit()
    db.session.remove()
    errors = []

    def run():
        try:
            with app.app_context():
                worker.deliver_due(now)
        except Exception as error:  # the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 60
    assert db.session.scalar(select(func.count(func.distinct(OutboxMessage.recipient)))) == 60
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == SENT)) == 60
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.secrets.is_not(None))) == 0


def test_a_sign_in_is_not_sent_inside_the_request(app, now):
    from flask.testing import FlaskClient

    from tests.accounts.conftest import csrf_from

    plain = FlaskClient(app, use_cookies=True)
    page = plain.get("/account/enter")
    response = plain.post("/account/enter", data={"csrf_token": csrf_from(page), "national_code": "0013542419",
                                                 "mobile": MOBILE})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert worker.deliver_due(utcnow())["sent"] == 1
        assert db.session.scalar(select(func.count()).select_from(Account)) == 0


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=1))
def test_backoff_grows_and_stays_bounded(attempts, jitter):
    delay = rules.retry_delay(attempts, rand=lambda: jitter).total_seconds()
    full = min(rules.MAX_DELAY, rules.BASE_DELAY * 2 ** (attempts - 1))
    assert full / 2 <= delay <= full
    assert rules.retry_delay(attempts + 1, rand=lambda: 1).total_seconds() >= rules.retry_delay(
        attempts, rand=lambda: 1).total_seconds()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_event_kind_has_persian_and_english_texts(ctx, now, kind):
    event = Event(uid="e-1", kind=kind, subject_type="seal", subject_id=1, actor_kind="cli", created_at=now,
                  secrets={"code": "123456"},
                  payload={"seal": {"id": "abc", "domain": "shop.example", "name_fa": "فروشگاه", "name_en": "Shop",
                                    "stars": 2, "expires_at": now.isoformat()},
                           "days": 7, "reason": "x", "domain": "shop.example", "number": "N-1", "invoice": "N-1",
                           "total_rials": 1_750_000, "url": "https://h.example/", "masked_mobile": "0912***4567",
                           "application": 3, "step": "domain"})
    fa, en = parts(event, "fa"), parts(event, "en")
    for block in ("subject", "body", "sms"):
        assert fa[block] and en[block], f"{kind} lacks its {block}"
        assert fa[block] != en[block]
    assert any("\u0600" <= char <= "\u06ff" for char in fa["body"]), f"{kind}: the Persian body is not Persian"
    assert len(fa["sms"]) <= 300 and len(en["sms"]) <= 300


def test_a_one_time_code_is_never_sent_late(app, ctx, now):
    event = emit("account.sign_in_code", ("account", 0), {"minutes": 10}, "public", now=now,
                 to={"sms": MOBILE}, secrets={"code": "123456"}, audit=False)
    db.session.commit()
    assert worker.deliver_due(now + timedelta(hours=2)) == {"sent": 0, "retrying": 0, "dead": 1}
    (delivery,) = event.deliveries
    assert delivery.last_error == "expired before it could be sent" and event.secrets is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_readme_documents_every_event_kind():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    missing = [kind for kind in KINDS if f"| `{kind}` |" not in readme]
    assert missing == []
