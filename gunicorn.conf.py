"""gunicorn settings read at start by development runs (gunicorn loads ./gunicorn.conf.py by default).

Production uses deploy/gunicorn.conf.py (Procfile); both refuse the development key on a public address.
"""
from seal_server.config import gunicorn_on_starting as on_starting  # noqa: F401
