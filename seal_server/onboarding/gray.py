"""The gray seal's monthly limits: payment providers report volumes; passing a limit tells the owner to upgrade.

Who may report is the providers package's question (a registered provider, for merchants it bound);
this module only counts.
"""
import re

import jdatetime

from sqlalchemy import exists, func, select, update

from ..billing.fees import RIALS_PER_TOMAN
from ..extensions import db
from ..events import Actor, emit
from ..iran.calendar import TEHRAN
from ..seals.models import GRAY, Seal
from ..seals.rules import is_public_id
from ..providers.models import PaymentProvider, ProviderMerchant
from .models import GrayMonthlyVolume

LIMIT_AMOUNT = 100_000_000 * RIALS_PER_TOMAN  # rials a month
LIMIT_TRANSACTIONS = 100  # a month
_MONTH = re.compile(r"^(1[34][0-9]{2})-(0[1-9]|1[0-2])$")


class VolumeError(ValueError):
    """The report cannot be recorded; the message is for the provider's developers."""

    status = 400


class UnknownSeal(VolumeError):
    status = 404


class NotServed(VolumeError):
    """The seal exists but the reporting provider has not bound it."""

    status = 403


class NotGray(VolumeError):
    """Only gray seals have a monthly cap: a conflict with the seal's kind, not a malformed report."""

    status = 409


def over_limit(amount, transactions):
    """True when a month's totals pass the gray seal's cap (either of the two)."""
    return amount > LIMIT_AMOUNT or transactions > LIMIT_TRANSACTIONS


def month_of(now):
    """The Jalali month (Tehran time) that `now` falls in, as reports name it: '1405-09'."""
    local = jdatetime.date.fromgregorian(date=now.astimezone(TEHRAN).date())
    return f"{local.year:04d}-{local.month:02d}"


def counted():
    """The volume rows that count: not from a provider whose binding of the seal its owner disputed."""
    return ~exists().where(ProviderMerchant.seal_id == GrayMonthlyVolume.seal_id,
                           ProviderMerchant.disputed_at.is_not(None),
                           ProviderMerchant.provider_id == PaymentProvider.id,
                           PaymentProvider.name == GrayMonthlyVolume.provider)


def month_totals(seal, month):
    """(amount in rials, transactions) reported for this seal and month, summed across providers (disputed
    providers' reports left out)."""
    amount, count = db.session.execute(
        select(func.coalesce(func.sum(GrayMonthlyVolume.amount), 0),
               func.coalesce(func.sum(GrayMonthlyVolume.transactions), 0))
        .where(GrayMonthlyVolume.seal_id == seal.id, GrayMonthlyVolume.month == month, counted())).one()
    return int(amount), int(count)


def refresh_flags(seal, now):
    """After a dispute is opened or cleared: a month stays flagged (over its limit) only while the reports
    that count pass it, and the flag sits on a counted row. No notice is sent again. Flushes."""
    months = db.session.scalars(select(GrayMonthlyVolume.month).where(GrayMonthlyVolume.seal_id == seal.id)
                                .distinct()).all()
    for month in months:
        rows = db.session.scalars(select(GrayMonthlyVolume).where(
            GrayMonthlyVolume.seal_id == seal.id, GrayMonthlyVolume.month == month)
            .order_by(GrayMonthlyVolume.id)).all()
        live = set(db.session.scalars(select(GrayMonthlyVolume.id).where(
            GrayMonthlyVolume.seal_id == seal.id, GrayMonthlyVolume.month == month, counted())).all())
        since = min((row.over_limit_at for row in rows if row.over_limit_at), default=None)
        over = over_limit(*month_totals(seal, month))
        if over and any(row.over_limit_at and row.id in live for row in rows):
            continue
        for row in rows:
            row.over_limit_at = None
        if over:  # passed by the reports that count: keep the month flagged on one of them
            next(row for row in rows if row.id in live).over_limit_at = since or now
    db.session.flush()


MAX_REPORTED = 10**15  # far above any month of any shop, and inside a BIGINT


MAX_TRANSACTIONS = 2**31 - 1  # an INTEGER column on PostgreSQL


def _whole(value, name, most=MAX_REPORTED):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise VolumeError(f"{name} must be a whole number from 0 to {most}")
    return value


def record(provider, payload, now, serves=lambda seal: True):
    """Store the provider's figure for a gray seal and month; returns the month's totals across providers.

    `serves(seal)` says whether `provider` bound this seal's merchant; a report for another is refused.
    """
    if not isinstance(payload, dict):
        raise VolumeError("send a JSON object: {seal_id, month, amount_rials, transactions}")
    seal_id = payload.get("seal_id")
    seal = db.session.scalar(select(Seal).where(Seal.public_id == seal_id)) if isinstance(seal_id, str) and is_public_id(seal_id) else None
    if seal is None:
        raise UnknownSeal("no seal with this seal_id")
    if not serves(seal):
        raise NotServed("this provider has not bound this merchant; bind it first: POST /api/v1/psp/merchants")
    if seal.kind != GRAY:
        raise NotGray("this seal is not a gray seal; its volumes have no limit")
    month = str(payload.get("month", ""))
    if not _MONTH.fullmatch(month):
        raise VolumeError("month must be a Jalali year and month, such as 1405-09")
    amount = _whole(payload.get("amount_rials"), "amount_rials")
    transactions = _whole(payload.get("transactions"), "transactions", MAX_TRANSACTIONS)
    row = db.session.scalar(select(GrayMonthlyVolume).where(
        GrayMonthlyVolume.seal_id == seal.id, GrayMonthlyVolume.month == month,
        GrayMonthlyVolume.provider == provider))
    if row is None:
        row = GrayMonthlyVolume(seal_id=seal.id, month=month, provider=provider)
        db.session.add(row)
    row.amount, row.transactions, row.updated_at = amount, transactions, now
    db.session.flush()
    total_amount, total_count = month_totals(seal, month)
    over = over_limit(total_amount, total_count)
    # tell the owner once a month: the first report that passes a limit claims the notice
    claimed = over and db.session.execute(
        update(GrayMonthlyVolume).where(
            GrayMonthlyVolume.id == row.id,
            ~select(GrayMonthlyVolume.id).where(GrayMonthlyVolume.seal_id == seal.id,
                                                GrayMonthlyVolume.month == month,
                                                GrayMonthlyVolume.over_limit_at.is_not(None)).exists())
        .values(over_limit_at=now).execution_options(synchronize_session=False)).rowcount == 1
    if claimed:
        emit("seal.gray_limit_reached", seal, {"month": month, "amount_rials": int(total_amount),
                                               "transactions": int(total_count)},
             Actor.system(f"psp:{provider}"), now=now)
    db.session.commit()
    return {"seal_id": seal.public_id, "month": month, "amount_rials": int(total_amount),
            "transactions": int(total_count), "over_limit": bool(over)}


def flagged_months(seal):
    """Jalali months in which this gray seal passed a limit: it should be upgraded to one star."""
    return db.session.scalars(select(GrayMonthlyVolume.month).where(
        GrayMonthlyVolume.seal_id == seal.id, GrayMonthlyVolume.over_limit_at.is_not(None), counted())
        .distinct().order_by(GrayMonthlyVolume.month)).all()
