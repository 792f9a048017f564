"""N_ marks a message for the translation catalog without translating it (no Flask here)."""


def N_(message):
    return message
