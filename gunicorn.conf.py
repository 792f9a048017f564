"""gunicorn settings read at start (gunicorn loads ./gunicorn.conf.py; Procfile names it too)."""


def on_starting(server):
    """Refuse, in one line, to serve the public development key on a non-loopback address."""
    from seal_server.config import check_bind, from_environ

    check_bind(server.cfg.bind, from_environ()["SEAL_SECRET_KEYS"])
