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
