"""In-process cost of the verification page and the JSON API against a bare route, with a pyinstrument profile.

No network and no gunicorn: each WSGI app is called directly, in turns, and CPU time
per request is measured. Usage:
  .venv/bin/python bench/profile_public.py [--ref REV] [--requests N] [--route verify|api] [--profile]
"""
import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import badge_bench as bench
from profile_badge import call, per_request_us


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--route", choices=("verify", "api"), default="api")
    parser.add_argument("--requests", type=int, default=2000, help="requests per timed pass (default 2000)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per app, alternating (default 3)")
    parser.add_argument("--ref", help="profile seal_server as committed at this git revision")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the route")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="seal-profile-") as tmp:
        workdir = Path(tmp)
        src = bench.source_tree(args.ref, workdir)
        sys.path.insert(0, str(src))
        os.environ.update({
            "SEAL_ENV": "production", "SEAL_ALLOW_SANDBOX_GATEWAY": "1", "SEAL_SECRET_KEYS": secrets.token_urlsafe(48),
            "SEAL_STATUS_KEYS": secrets.token_urlsafe(32)[:43],
            "SEAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "PYTHONPATH": str(src),
        })
        os.environ.pop("SEAL_DEMO", None)
        bench.run([bench.BIN / "seal-server", "init-db"], dict(os.environ), src)
        issued = json.loads(bench.run([bench.BIN / "seal-server", "issue", "--domain", bench.DOMAIN, "--name-fa",
                                       "فروشگاه محک", "--name-en", "Benchmark Shop", "--owner", "سارا احمدی",
                                       "--json"], dict(os.environ), src))
        url = urlsplit(issued["verify_url"] if args.route == "verify" else
                       issued["badge_url"].replace("/badge/", "/api/v1/seals/").replace(".svg", ""))

        from werkzeug.test import EnvironBuilder

        from seal_server import create_app

        app = create_app()
        environ = EnvironBuilder(path=url.path, query_string=url.query,
                                 headers={"Referer": bench.REFERER}).get_environ()
        status, headers, body = call(app, dict(environ))
        if not status.startswith("200"):
            print(f"{args.route} answered {status}; nothing to profile", file=sys.stderr)
            return 1
        (workdir / "body").write_bytes(body)
        (workdir / "headers.json").write_text(json.dumps(bench.app_headers(headers)))
        os.environ.update(BENCH_BARE_BODY=str(workdir / "body"), BENCH_BARE_HEADERS=str(workdir / "headers.json"))
        import bare_app

        environs = [environ] * args.requests
        per_request_us(app, environs[:200])
        per_request_us(bare_app.app, environs[:200])
        timings = {"route": [], "bare": []}
        for _ in range(args.passes):
            timings["route"].append(per_request_us(app, environs))
            timings["bare"].append(per_request_us(bare_app.app, environs))
        route_us, bare_us = (statistics.median(timings[name]) for name in ("route", "bare"))
        print(f"seal_server: {args.ref or 'working tree'}; {args.passes} passes of {args.requests} requests each")
        print(f"{args.route:6s} {route_us:8.1f} us/request  (passes: {', '.join(f'{t:.0f}' for t in timings['route'])})")
        print(f"bare   {bare_us:8.1f} us/request  (passes: {', '.join(f'{t:.0f}' for t in timings['bare'])})")
        print(f"in-process ratio bare/{args.route} {bare_us / route_us:.3f}")
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                per_request_us(app, environs)
            print(profiler.output_text(unicode=True, color=False, short_mode=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
