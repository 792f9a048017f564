"""Complaints: a buyer's verified transaction, the 72/48/24-hour clock, non-responses and the complaints hold."""


def register_record():
    """Supply the complaint fields of every seal's public record (called once by the app factory)."""
    from ..seals import record
    from .service import record_counts

    def counter(field):
        def count(seal):
            counts = record_counts(seal)
            return counts[field] if counts else record.EMPTY.get(field, 0)
        return count

    for field in ("complaints_total", "complaints_open", "non_responses", "answered_on_time", "answer_rate"):
        record.register(field, counter(field))

    from ..renewals import service as renewals

    if no_open_complaints not in renewals.EXTRA_CONDITIONS:
        renewals.condition(no_open_complaints)


def register_payments():
    """A paid arbitration fee opens its arbitration (called once by the app factory)."""
    from ..billing import service as billing
    from .arbitration import invoice_paid

    if invoice_paid not in billing._paid_listeners:
        billing.on_invoice_paid(invoice_paid)


def no_open_complaints(seal, now):
    """A renewal condition (seed): no outstanding complaint, answered or not, and no unanswered non-response."""
    from ..marks import N_
    from ..renewals.rules import Condition
    from .service import record_counts

    counts = record_counts(seal) or {}
    open_ = counts.get("complaints_open") or 0
    return Condition(
        "complaints", N_("No outstanding complaints"), holds=open_ == 0,
        why=N_("%(count)s complaints are still open.") if open_ else "",
        todo=N_("Answer them in the panel's complaints page; renewal opens once buyers accept or they are closed.")
        if open_ else "",
        variables=(("count", open_),) if open_ else ())
