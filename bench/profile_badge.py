"""In-process cost of the badge route against the bare route, and where the badge's time goes.

No network and no gunicorn: both WSGI apps are called directly, in turns, so
the per-request figures are far less disturbed by a busy machine than the wrk
benchmark. Usage: .venv/bin/python bench/profile_badge.py [--requests N] [--ref REV] [--top N]
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import badge_bench as bench


def call(app, environ):
    """One WSGI request; (status, headers, body)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], body


def per_request_us(app, environs):
    """CPU time per request: unlike wall time, it does not grow while other processes hold the CPU."""
    started = time.process_time()
    for environ in environs:
        call(app, dict(environ))
    return (time.process_time() - started) / len(environs) * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per timed pass (default 20000)")
    parser.add_argument("--passes", type=int, default=5, help="timed passes per app, alternating (default 5)")
    parser.add_argument("--ref", help="profile seal_server as committed at this git revision")
    parser.add_argument("--top", type=int, default=25, help="functions to list from the profile (default 25)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="seal-profile-") as tmp:
        workdir = Path(tmp)
        src = bench.source_tree(args.ref, workdir)
        sys.path.insert(0, str(src))
        env = {
            "SEAL_ENV": "production", "SEAL_ALLOW_SANDBOX_GATEWAY": "1", "SEAL_SECRET_KEYS": secrets.token_urlsafe(48),
            "SEAL_STATUS_KEYS": secrets.token_urlsafe(32)[:43],  # production refuses to start without one
            "SEAL_SMS_BACKEND": "kavenegar", "SEAL_KAVENEGAR_API_KEY": "bench", "SEAL_EMAIL_BACKEND": "smtp",
            "SEAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "PYTHONPATH": str(src),
        }
        os.environ.update(env)
        os.environ.pop("SEAL_DEMO", None)
        seal_id, path = bench.issue_seal(dict(os.environ), src)

        from werkzeug.test import EnvironBuilder

        from seal_server import create_app

        app = create_app()
        route, query = path.split("?", 1)
        environ = EnvironBuilder(path=route, query_string=query, headers={"Referer": bench.REFERER}).get_environ()
        status, headers, body = call(app, dict(environ))
        state = dict(headers).get("X-Seal-State")
        if not status.startswith("200") or state != "valid":
            print(f"badge answered {status}, X-Seal-State={state!r}; nothing to profile", file=sys.stderr)
            return 1
        (workdir / "body.svg").write_bytes(body)
        (workdir / "headers.json").write_text(json.dumps(bench.app_headers(headers)))
        os.environ.update(BENCH_BARE_BODY=str(workdir / "body.svg"), BENCH_BARE_HEADERS=str(workdir / "headers.json"))
        import bare_app

        environs = [environ] * args.requests
        per_request_us(app, environs[:2000])  # warm both before timing
        per_request_us(bare_app.app, environs[:2000])
        timings = {"badge": [], "bare": []}
        for _ in range(args.passes):
            timings["badge"].append(per_request_us(app, environs))
            timings["bare"].append(per_request_us(bare_app.app, environs))
        badge_us, bare_us = (statistics.median(timings[name]) for name in ("badge", "bare"))
        print(f"seal_server: {args.ref or 'working tree'}; {args.passes} passes of {args.requests} requests each")
        print(f"badge route {badge_us:7.1f} us/request  (passes: {', '.join(f'{t:.0f}' for t in timings['badge'])})")
        print(f"bare route  {bare_us:7.1f} us/request  (passes: {', '.join(f'{t:.0f}' for t in timings['bare'])})")
        more_or_less = "more" if badge_us >= bare_us else "less"
        print(f"badge costs {abs(badge_us - bare_us):.1f} us {more_or_less} than bare; "
              f"in-process ratio bare/badge {bare_us / badge_us:.3f}")

        profiler = cProfile.Profile()
        profiler.enable()
        per_request_us(app, environs[: min(args.requests, 20000)])
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
