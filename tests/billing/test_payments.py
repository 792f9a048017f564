"""Invoices and payments through the sandbox gateway: paid once, whatever the callbacks do."""
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.billing import sandbox, service
from seal_server.billing.fees import FeeSchedule, postal_check_line, seal_fee_plan
from seal_server.billing.models import Invoice, Payment
from seal_server.extensions import db

CALLBACK = "http://seal.test/billing/callback/"


@pytest.fixture
def account(ctx, now):
    account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
    db.session.add(account)
    db.session.commit()
    return account


@pytest.fixture
def invoice(account, now):
    lines = seal_fee_plan(FeeSchedule(), micro=False)[0].lines
    return service.create_invoice(account, lines, purpose="seal", now=now)


@pytest.fixture
def paid_listener():
    calls = []
    listener = service.on_invoice_paid(lambda invoice, now: calls.append(invoice.number))
    yield calls
    service._paid_listeners.remove(listener)


def start(invoice, now):
    gateway = sandbox.SandboxGateway()
    payment, url = service.start_payment(invoice, gateway=gateway, callback_url=CALLBACK + invoice.number, now=now)
    return gateway, payment, url


def bank(payment, outcome):
    """The payer's choice at the sandbox bank; returns the callback's query arguments."""
    back = sandbox.decide(sandbox.charge_for(payment.authority), outcome)
    return {key: values[0] for key, values in parse_qs(urlsplit(back).query).items()}


def test_invoice_total_and_reuse(account, invoice, now):
    assert invoice.total == 1_750_000 and invoice.status == "open"
    again = service.create_invoice(account, [postal_check_line(FeeSchedule())], purpose="seal", now=now)
    assert again.id == invoice.id, "an unpaid invoice for the same purpose is reused, not doubled"


def test_pay_through_the_sandbox(invoice, now, paid_listener):
    gateway, payment, url = start(invoice, now)
    assert url.startswith("http://seal.test/billing/sandbox/")
    args = bank(payment, "paid")
    assert args["Status"] == "OK" and args["Authority"] == payment.authority
    done = service.complete_payment(invoice.number, args, gateway=gateway, now=now)
    assert done.status == "paid" and done.ref_id
    assert invoice.status == "paid" and invoice.paid_at == now
    assert paid_listener == [invoice.number]


def test_replayed_callback_pays_once(invoice, now, paid_listener):
    gateway, payment, _ = start(invoice, now)
    args = bank(payment, "paid")
    for _ in range(3):
        assert service.complete_payment(invoice.number, args, gateway=gateway, now=now).status == "paid"
    assert paid_listener == [invoice.number]
    with pytest.raises(service.BillingError):
        start(invoice, now)


@pytest.mark.parametrize("outcome, status", [("cancelled", "cancelled"), ("failed", "cancelled")])
def test_cancel_and_fail_charge_nothing(invoice, now, outcome, status, paid_listener):
    gateway, payment, _ = start(invoice, now)
    result = service.complete_payment(invoice.number, bank(payment, outcome), gateway=gateway, now=now)
    assert result.status == status and invoice.status == "open" and paid_listener == []
    # the owner can try again
    gateway, retry, _ = start(invoice, now)
    service.complete_payment(invoice.number, bank(retry, "paid"), gateway=gateway, now=now)
    assert invoice.status == "paid" and paid_listener == [invoice.number]


def test_payer_says_ok_but_bank_did_not_charge(invoice, now):
    gateway, payment, _ = start(invoice, now)
    forged = {"Authority": payment.authority, "Status": "OK"}  # the sandbox charge is still undecided
    assert service.complete_payment(invoice.number, forged, gateway=gateway, now=now).status == "failed"
    assert invoice.status == "open"


def test_callback_for_another_invoice_is_refused(account, invoice, now):
    other = service.create_invoice(account, [postal_check_line(FeeSchedule())], purpose="postal-check", now=now)
    gateway, payment, _ = start(invoice, now)
    args = bank(payment, "paid")
    with pytest.raises(service.PaymentRefused):
        service.complete_payment(other.number, args, gateway=gateway, now=now)
    with pytest.raises(service.PaymentRefused):
        service.complete_payment(invoice.number, {}, gateway=gateway, now=now)
    with pytest.raises(service.PaymentRefused):
        service.complete_payment(invoice.number, {"Authority": "Snope", "Status": "OK"}, gateway=gateway, now=now)
    assert other.status == "open" and invoice.status == "open"


def test_amount_mismatch_is_not_verified(invoice, now):
    gateway, payment, _ = start(invoice, now)
    invoice.total += 10  # the invoice changed after the payer left for the bank
    db.session.commit()
    result = service.complete_payment(invoice.number, bank(payment, "paid"), gateway=gateway, now=now)
    assert result.status == "cancelled" and "amount" in result.message
    assert invoice.status == "open"


def test_two_tabs_paid_at_the_bank_only_one_is_taken(invoice, now, paid_listener):
    gateway, first, _ = start(invoice, now)
    _, second, _ = start(invoice, now)
    first_args, second_args = bank(first, "paid"), bank(second, "paid")
    assert service.complete_payment(invoice.number, first_args, gateway=gateway, now=now).status == "paid"
    late = service.complete_payment(invoice.number, second_args, gateway=gateway, now=now)
    assert late.status == "cancelled", "left unverified, so the gateway returns the money"
    assert not sandbox.charge_for(second.authority).verified
    assert paid_listener == [invoice.number]


def test_concurrent_callbacks_pay_once(app, now, paid_listener):
    with app.app_context():
        account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
        db.session.add(account)
        db.session.commit()
        invoice = service.create_invoice(account, [postal_check_line(FeeSchedule())], purpose="postal", now=now)
        number = invoice.number
        gateway, payment, _ = start(invoice, now)
        args = bank(payment, "paid")
    barrier = threading.Barrier(8)
    statuses = []

    def callback():
        with app.app_context():
            barrier.wait()
            statuses.append(service.complete_payment(number, args, gateway=sandbox.SandboxGateway(), now=now).status)
            db.session.remove()

    threads = [threading.Thread(target=callback) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == 8 and paid_listener == [number]
    with app.app_context():
        assert db.session.scalar(select(Invoice.status).where(Invoice.number == number)) == "paid"
        assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "paid")) == 1


def test_a_gateway_outage_is_confirmed_later_by_the_clock(invoice, now, paid_listener, monkeypatch):
    """The bank does not answer the verify call; the payment waits, and tick confirms it once."""
    from datetime import timedelta

    from seal_server.billing.gateways import GatewayError
    from seal_server.tasks import tick

    gateway, payment, _ = start(invoice, now)
    args = bank(payment, "paid")
    real_verify = sandbox.SandboxGateway.verify

    def down(self, **kwargs):
        raise GatewayError("bank unreachable")

    monkeypatch.setattr(sandbox.SandboxGateway, "verify", down)
    assert service.complete_payment(invoice.number, args, gateway=gateway, now=now).status == "verifying"
    assert tick(now + timedelta(minutes=10))["payments_confirmed"] == []  # still down
    monkeypatch.setattr(sandbox.SandboxGateway, "verify", real_verify)
    assert tick(now + timedelta(minutes=20))["payments_confirmed"] == [payment.id]
    db.session.expire_all()
    assert invoice.status == "paid" and paid_listener == [invoice.number]
    assert tick(now + timedelta(minutes=30))["payments_confirmed"] == []
