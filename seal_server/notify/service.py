"""What the outbox log keeps of a message the worker sent."""
import re

_SECRET_DIGITS = re.compile(r"[0-9۰-۹٠-٩]{4,}")


def kept_text(body, backend_name):
    """What the outbox keeps: the full text only when nothing was really sent; codes are never kept."""
    if backend_name == "outbox":
        return body
    return _SECRET_DIGITS.sub("••••", body)
