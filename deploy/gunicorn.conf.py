"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py "seal_server:create_app()"`.

Every value can be overridden from the environment (names below). Figures behind the
choices: bench/README.md, "National scale".
"""
import os

bind = os.environ.get("SEAL_WEB_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# One process per core; the badge, verification page and API are answered from memory, so a
# process is busy with CPU (not waiting) on the hot paths.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
# gthread x 4: measured no worse than sync for the badge, also while owners' domain checks (run by
# the worker, not the request) wait on slow sites (bench/checks_bench.py); and a thread waiting on
# what is still slow in a request (the staff's HTTPS check of a rating request, a slow client without
# a buffering proxy) does not hold the whole process. SEAL_WEB_WORKER_CLASS=sync is fine behind nginx.
worker_class = os.environ.get("SEAL_WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("SEAL_WEB_THREADS", "4")) if worker_class == "gthread" else 1
backlog = 2048
timeout = 30  # a request still running after this is killed (the safe fetcher gives up after 15 s)
graceful_timeout = 20
keepalive = 5  # behind nginx's keepalive upstream pool
max_requests = 20_000  # recycle workers now and then; the jitter keeps them from restarting together
max_requests_jitter = 2_000
# No preload: every worker builds its own app, its own database pool and its own Redis listener.
preload_app = False
accesslog = os.environ.get("SEAL_WEB_ACCESS_LOG")  # nginx logs requests; set "-" to log here too
errorlog = "-"
# Trust X-Forwarded-* from the proxy in front only through SEAL_TRUSTED_PROXIES (the app's ProxyFix),
# never through gunicorn's own forwarded_allow_ips.
forwarded_allow_ips = "127.0.0.1"



def worker_exit(server, worker):
    """A worker stopping gracefully hands on the copy-detection counts it holds in memory (atexit does too)."""
    from seal_server.copies.counter import flush_all

    flush_all()


# Refuse, in one line, to serve the public development key on a non-loopback address.
from seal_server.config import gunicorn_on_starting as on_starting  # noqa: E402,F401
