"""Online arbitration through the service doors: the fee, paid once; the shop's 72 hours; evidence;
settlement; the clock's move to the arbiters; a ruling only an arbiter records."""
import threading
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from seal_server import config
from seal_server.billing import sandbox
from seal_server.billing import service as billing
from seal_server.billing.models import Invoice, Payment
from seal_server.complaints import arbitration, rules, service
from seal_server.complaints.models import Arbitration, Complaint, ComplaintFile
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.staff import policy
from seal_server.staff.models import Staff
from seal_server.tasks import tick
from tests.complaints.conftest import BUYER, PDF, arbitrate, form, pay_at_the_bank, sms_code
from tests.conftest import deliver_queued
from tests.staff.conftest import ARBITER_CODE, SUPERVISOR_CODE, enrol

BANDS = rules.parse_fee_bands(rules.DEFAULT_FEE_BANDS)


def file_and_confirm(seal, now, **changes):
    complaint = service.file_complaint(seal, form(now, **changes), ip="127.0.0.1", now=now, today=now.date())
    return service.confirm_filing(complaint.tracking_code, sms_code(), now=now)


def rejected(seal, account, now, **changes):
    """A confirmed complaint the owner answered and the buyer rejected: arbitration may start."""
    complaint = file_and_confirm(seal, now, **changes)
    service.answer(complaint.id, account.id, "We shipped it; please wait a little more.", now=now)
    return service.verdict(complaint, False, now=now)


def staff_member(app, code, roles, now):
    return db.session.get(Staff, enrol(app, code, roles, now).id)


# --- the fee ------------------------------------------------------------------------------------

def test_the_default_bands():
    # 1,250,000 toman: 20 % of the first million, 10 % of the rest
    assert rules.arbitration_fee(12_500_000, BANDS) == 2_250_000
    assert rules.arbitration_fee(5_000_000, BANDS) == 1_000_000
    assert rules.fee_rate_text(BANDS) == ("2", "20")


@given(st.integers(min_value=10, max_value=rules.MAX_AMOUNT_TOMAN).map(lambda toman: toman * 10),
       st.integers(min_value=0, max_value=10 ** 9))
def test_the_fee_is_two_to_twenty_percent_and_grows_with_the_amount(amount, more):
    fee = rules.arbitration_fee(amount, BANDS)
    assert amount * 2 // 100 - 5 <= fee <= amount * 20 // 100 + 5 and fee % 10 == 0
    assert rules.arbitration_fee(amount + more * 10, BANDS) >= fee


@pytest.mark.parametrize("bands", ["", "1000:25,*:5", "1000:1,*:5", "5000:10,1000:5,*:2", "*:5,1000:10",
                                   "1000:10,2000:5", "x:5,*:2", "1000:ten,*:2"])
def test_bad_bands_stop_the_service_with_a_clear_message(bands):
    with pytest.raises(config.ConfigError, match="SEAL_ARBITRATION_FEE_BANDS"):
        config.from_environ({"SEAL_ARBITRATION_FEE_BANDS": bands or ","})


def test_bands_from_the_environment():
    settings = config.from_environ({"SEAL_ARBITRATION_FEE_BANDS": "500000:12.5,*:3"})
    assert settings["SEAL_ARBITRATION_FEE_BANDS"] == ((5_000_000, 1250), (None, 300))


# --- the whole path -----------------------------------------------------------------------------

def test_fee_paid_shop_told_evidence_clock_and_a_partial_ruling(app, sealed, now):
    seal, account = sealed
    complaint = rejected(seal, account, now)
    started = arbitration.start(complaint, now=now)
    assert started.state == "awaiting_payment" and started.fee == 2_250_000
    invoice = started.invoice
    assert invoice.account_id is None and invoice.complaint_id == complaint.id and invoice.total == 2_250_000
    assert arbitration.start(complaint, now=now).id == started.id  # the same invoice while unpaid
    _, args = pay_at_the_bank(started, now)
    billing.complete_payment(invoice.number, args, gateway=sandbox.SandboxGateway(), now=now)
    db.session.refresh(started)
    assert started.state == "open" and started.shop_deadline == now + timedelta(hours=72)
    assert db.session.scalar(select(Event.kind).where(Event.kind.like("arbitration.%"))) == "arbitration.opened"
    deliver_queued(now)
    owner_sms = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == "09121234567")
                                   .order_by(OutboxMessage.id.desc())).first()
    assert "داوری" in owner_sms and complaint.tracking_code in owner_sms

    arbitration.shop_evidence(complaint.id, account.id, "The courier's receipt shows delivery.",
                              [(PDF, "receipt.pdf")], now=now + timedelta(hours=1))
    arbitration.add_evidence(complaint, "buyer", "The box was empty when it came.", [], now=now + timedelta(hours=2))
    assert [(e.side, len(e.files)) for e in started.evidence] == [("shop", 1), ("buyer", 0)]

    tick(now + timedelta(hours=71))
    db.session.refresh(started)
    assert started.state == "open"
    arbiter = staff_member(app, ARBITER_CODE, ["arbiter"], now)
    with pytest.raises(service.ComplaintError):  # the shop's 72 hours are still running
        arbitration.rule(started.id, arbiter, "partial", "500000", "Half of the goods arrived damaged.", now=now)
    assert tick(now + timedelta(hours=72))["arbitrations_to_rule"] == 1
    assert tick(now + timedelta(hours=73))["arbitrations_to_rule"] == 0  # idempotent
    db.session.refresh(started)
    assert started.state == "awaiting_ruling"
    with pytest.raises(service.ComplaintError):  # the shop's time is over
        arbitration.shop_evidence(complaint.id, account.id, "One more receipt for you.", [],
                                  now=now + timedelta(hours=74))

    ruled = arbitration.rule(started.id, arbiter, "partial", "۵۰۰٬۰۰۰", "Half of the goods arrived damaged.",
                             now=now + timedelta(hours=80))
    assert ruled.state == "ruled" and ruled.award == 5_000_000 and ruled.ruled_by == arbiter.id
    with pytest.raises(service.ComplaintError):  # one ruling
        arbitration.rule(started.id, arbiter, "shop", "", "Changed my mind about this one.", now=now)
    deliver_queued(now + timedelta(hours=80))
    buyer_sms = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == BUYER)
                                   .order_by(OutboxMessage.id.desc())).first()
    assert "رأی داوری" in buyer_sms and complaint.tracking_code in buyer_sms
    kinds = db.session.scalars(select(Event.kind).where(Event.kind.like("arbitration.%")).order_by(Event.id)).all()
    assert kinds == ["arbitration.opened", "arbitration.ruled", "arbitration.buyer_notice"]


def test_a_settlement_the_buyer_confirms_closes_without_a_ruling(app, sealed, now):
    seal, account = sealed
    complaint = rejected(seal, account, now)
    started = arbitrate(complaint, now)
    with pytest.raises(service.ComplaintError):
        arbitration.confirm_settlement(complaint, now=now)  # nothing to confirm yet
    arbitration.offer_settlement(complaint.id, account.id, "We refunded the whole amount today.", now=now)
    with pytest.raises(service.ComplaintError):
        arbitration.offer_settlement(complaint.id, account.id, "And we refunded it again.", now=now)
    arbitration.confirm_settlement(complaint, now=now + timedelta(hours=1))
    assert started.state == "settled"
    tick(now + timedelta(hours=100))
    db.session.refresh(started)
    assert started.state == "settled"
    arbiter = staff_member(app, ARBITER_CODE, ["arbiter"], now)
    with pytest.raises(service.ComplaintError):
        arbitration.rule(started.id, arbiter, "buyer", "", "The shop did not deliver anything.", now=now)


# --- bad input ----------------------------------------------------------------------------------

def test_the_fee_is_not_taken_twice(sealed, now):
    seal, account = sealed
    complaint = rejected(seal, account, now)
    started = arbitration.start(complaint, now=now)
    first, first_args = pay_at_the_bank(started, now)
    second, second_args = pay_at_the_bank(started, now)  # a second tab, also paid at the bank
    gateway = sandbox.SandboxGateway()
    assert billing.complete_payment(started.invoice.number, first_args, gateway=gateway, now=now).status == "paid"
    late = billing.complete_payment(started.invoice.number, second_args, gateway=gateway, now=now)
    assert late.status == "cancelled" and not sandbox.charge_for(second.authority).verified  # the bank returns it
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.start(complaint, now=now)
    assert "already been paid" in caught.value.message
    with pytest.raises(service.ComplaintError):
        arbitration.pay(started, callback_url="http://seal.test/x", now=now)
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "arbitration.opened")) == 1


def test_two_concurrent_completions_take_the_fee_once(app, now):
    from seal_server.accounts.models import Account
    from tests.factories import issue

    with app.app_context():
        seal = issue(now=now)
        account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
        db.session.add(account)
        db.session.flush()
        seal.business.owner.account_id = account.id
        db.session.commit()
        started = arbitration.start(rejected(seal, account, now), now=now)
        number = started.invoice.number
        calls = [pay_at_the_bank(started, now)[1] for _ in range(2)]
    barrier = threading.Barrier(4)
    statuses = []

    def callback(args):
        with app.app_context():
            barrier.wait()
            statuses.append(billing.complete_payment(number, args, gateway=sandbox.SandboxGateway(), now=now).status)
            db.session.remove()

    threads = [threading.Thread(target=callback, args=(args,)) for args in calls * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == 4
    with app.app_context():
        assert db.session.scalar(select(Invoice.status).where(Invoice.number == number)) == "paid"
        assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "paid")) == 1
        assert db.session.scalar(select(func.count()).select_from(Event).where(
            Event.kind == "arbitration.opened")) == 1
        assert db.session.scalar(select(Arbitration.state)) == "open"


def test_only_an_eligible_complaint_goes_to_arbitration_and_never_to_both_paths(sealed, now):
    seal, account = sealed
    young = file_and_confirm(seal, now, payment_ref="610001")
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.start(young, now=now + timedelta(hours=100))  # neither six days nor a rejected answer
    assert "six days" in caught.value.message
    assert not arbitration.eligible(young, now)

    paid = rejected(seal, account, now, payment_ref="610002")
    arbitrate(paid, now)
    with pytest.raises(service.ComplaintError):
        service.refer(paid, "guild", now=now)
    assert paid.referred_at is None

    unpaid = rejected(seal, account, now, payment_ref="610003")
    left = arbitration.start(unpaid, now=now)
    _, args = pay_at_the_bank(left, now)
    service.refer(unpaid, "consumer", now=now)  # the buyer chose a competent body instead: the invoice is void
    db.session.refresh(left)
    assert left.state == "void" and left.invoice.status == "void"
    late = billing.complete_payment(left.invoice.number, args, gateway=sandbox.SandboxGateway(), now=now)
    assert late.status == "cancelled"  # left unverified: the bank returns the money
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.start(unpaid, now=now)
    assert "competent body" in caught.value.message


@pytest.mark.parametrize("outcome, award, field", [
    ("partial", "99999999", "award"),  # above the transaction's 1,250,000 toman
    ("partial", "-5", "award"), ("partial", "0", "award"), ("partial", "", "award"), ("partial", "12a", "award"),
    ("maybe", "", "outcome"),
])
def test_a_bad_ruling_changes_nothing(app, sealed, now, outcome, award, field):
    seal, account = sealed
    started = arbitrate(rejected(seal, account, now), now)
    tick(now + timedelta(hours=72))
    arbiter = staff_member(app, ARBITER_CODE, ["arbiter"], now)
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.rule(started.id, arbiter, outcome, award, "The reasons are written here in full.", now=now)
    assert field in caught.value.errors
    db.session.refresh(started)
    assert started.state == "awaiting_ruling" and started.award is None


def test_a_ruling_by_anyone_but_an_arbiter_is_refused(app, sealed, now):
    seal, account = sealed
    started = arbitrate(rejected(seal, account, now), now)
    tick(now + timedelta(hours=72))
    supervisor = staff_member(app, SUPERVISOR_CODE, ["supervisor", "admin"], now)
    with pytest.raises(policy.Refused):
        arbitration.rule(started.id, supervisor, "shop", "", "The shop delivered as promised.", now=now)
    db.session.refresh(started)
    assert started.state == "awaiting_ruling"


def test_an_arbiter_does_not_rule_on_a_complaint_against_their_own_shop(app, sealed, now):
    seal, account = sealed
    started = arbitrate(rejected(seal, account, now), now)
    tick(now + timedelta(hours=72))
    own = staff_member(app, seal.business.owner.national_code, ["arbiter"], now)
    with pytest.raises(policy.Refused) as refused:
        arbitration.rule(started.id, own, "shop", "", "The shop delivered as promised.", now=now)
    assert refused.value.message == "You cannot review your own application."
    db.session.refresh(started)
    assert started.state == "awaiting_ruling"
    other = staff_member(app, ARBITER_CODE, ["arbiter"], now)
    arbitration.rule(started.id, other, "shop", "", "The shop delivered as promised.", now=now)
    assert started.state == "ruled"


def test_evidence_from_someone_else_and_bad_files_are_refused(sealed, now):
    from seal_server.accounts.models import Account

    seal, account = sealed
    complaint = rejected(seal, account, now)
    with pytest.raises(service.ComplaintError):  # no arbitration yet
        arbitration.add_evidence(complaint, "buyer", "A photo of the broken item.", [], now=now)
    arbitrate(complaint, now)
    stranger = Account(national_code="0084575948", mobile="09129999999", created_at=now)
    db.session.add(stranger)
    db.session.commit()
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.shop_evidence(complaint.id, stranger.id, "I am not the owner of this shop.", [], now=now)
    assert "owner" in caught.value.message
    with pytest.raises(service.ComplaintError):
        arbitration.offer_settlement(complaint.id, stranger.id, "Settled, trust me on this.", now=now)
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.shop_evidence(complaint.id, account.id, "Our receipt is attached here.",
                                  [(b"MZ\x90\x00 not a document", "receipt.pdf")], now=now)
    assert "evidence_files" in caught.value.errors
    with pytest.raises(service.ComplaintError) as caught:
        arbitration.add_evidence(complaint, "buyer", "short", [], now=now)
    assert "evidence" in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(ComplaintFile)) == 0
    assert complaint.arbitration.evidence == []


# --- attachments at filing ----------------------------------------------------------------------

def test_attachments_at_filing_are_checked_by_their_content(sealed, now):
    seal, _ = sealed
    with pytest.raises(service.ComplaintError) as caught:
        service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date(),
                               attachments=[(b"<script>alert(1)</script>", "photo.png")])
    assert "attachments" in caught.value.errors
    with pytest.raises(service.ComplaintError) as caught:
        service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date(),
                               attachments=[(PDF, f"{n}.pdf") for n in range(4)])
    assert "attachments" in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    complaint = service.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date(),
                                       attachments=[(PDF, "../../receipt.pdf"), (b"", "")])
    assert [(f.name, f.content_type, f.side) for f in complaint.files] == [("receipt.pdf", "application/pdf", "buyer")]


def test_concurrent_ticks_hand_each_arbitration_to_the_arbiters_once(app, now):
    from sqlalchemy.exc import OperationalError

    from seal_server.accounts.models import Account
    from tests.factories import issue

    with app.app_context():
        seal = issue(now=now)
        account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
        db.session.add(account)
        db.session.flush()
        seal.business.owner.account_id = account.id
        db.session.commit()
        for index in range(3):
            arbitrate(rejected(seal, account, now, payment_ref=f"62000{index}"), now)
    later = now + timedelta(hours=72)
    barrier = threading.Barrier(4)
    moved = []

    def run():
        with app.app_context():
            barrier.wait()
            for _ in range(10):
                try:
                    moved.append(arbitration.sweep(later))
                    break
                except OperationalError:  # SQLite's one writer: the next tick does it
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(moved) == 3
    with app.app_context():
        assert db.session.scalars(select(Arbitration.state)).all() == ["awaiting_ruling"] * 3


def test_an_invoice_always_has_a_payer(ctx, now):
    from sqlalchemy.exc import IntegrityError

    from seal_server.billing.fees import Line

    with pytest.raises(IntegrityError):
        billing.new_invoice(None, [Line("x", "x", 10)], purpose="arbitration", now=now)
    db.session.rollback()


def test_one_side_adds_at_most_ten_pieces_of_evidence_to_an_arbitration(app, sealed, now):
    """The upload rate limit is per address; this bounds what one case can put in the upload storage."""
    from seal_server.complaints.models import BUYER as BUYER_SIDE, ArbitrationEvidence

    seal, account = sealed
    started = arbitrate(rejected(seal, account, now), now)
    complaint = started.complaint
    for number in range(rules.MAX_EVIDENCE_PIECES):
        arbitration.add_evidence(complaint, BUYER_SIDE, f"Piece of evidence number {number}.", [(PDF, "a.pdf")],
                                 now=now)
    with pytest.raises(service.ComplaintError) as refused:
        arbitration.add_evidence(complaint, BUYER_SIDE, "One piece too many for the arbiter.", [(PDF, "b.pdf")],
                                 now=now)
    assert refused.value.field == "evidence"
    assert db.session.scalar(select(func.count()).select_from(ArbitrationEvidence)) == rules.MAX_EVIDENCE_PIECES
    assert db.session.scalar(select(func.count()).select_from(ComplaintFile).where(
        ComplaintFile.evidence_id.is_not(None))) == rules.MAX_EVIDENCE_PIECES
    # the other side still has its own ten
    arbitration.shop_evidence(complaint.id, account.id, "The courier's proof of delivery.", [], now=now)
