"""tick(now): everything that is due at `now`. Safe to run twice or from two processes."""
from .billing import service as billing
from .complaints import arbitration
from .complaints import service as complaints
from .conformity import service as conformity
from .copies import service as copies
from .events import reminders, worker
from .integrations import checks
from .onboarding import issuance, payment
from .seals import service as seals


def tick(now):
    """Run the clock once; returns what was done, for the log."""
    return {
        "now": now.isoformat(),
        "expired": seals.expire_due(now),
        "payments_confirmed": billing.retry_stuck_verifications(now),
        "letters": payment.send_due_letters(now),
        "checks_answered": checks.retry_unanswered(now),
        "gray_approved": issuance.approve_waiting_gray(now),
        "second_year_invoices": payment.invoice_second_years(now),
        "second_year_suspensions": payment.enforce_second_years(now),
        "reminders": reminders.send_due_reminders(now),
        "complaints": complaints.sweep(now),
        "arbitrations_to_rule": arbitration.sweep(now),
        "licence_notices": conformity.send_expiry_notices(now),
        "stars": conformity.recheck_stars(now),
        "copies": copies.sweep(now),
        # last, so what the steps above emitted goes out in this same tick
        "outbox": worker.deliver_due(now),
    }
