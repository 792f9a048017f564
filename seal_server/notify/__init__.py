"""Messages to people: an outbox of every SMS and email, and the backends that deliver them."""
