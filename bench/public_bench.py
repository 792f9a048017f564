"""Load benchmark of the public routes at scale: each route against a bare route serving the same bytes.

Like badge_bench.py (whose machinery it reuses), but for any public route, on any database,
with N synthetic seals made by `seal-server synth` first:

  .venv/bin/python bench/public_bench.py --route verify --database-url postgresql+psycopg://... --seals 1000000

Routes: badge, verify, api, registry (the unfiltered first page), search (registry?q=...).
The database is used as it is when it already holds N seals or more (so a million are made once).
"""
import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import badge_bench as bench
from sqlalchemy import create_engine, text

SEARCH = "honey"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--route", choices=("badge", "verify", "api", "registry", "search"), required=True)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--seals", type=bench.positive, default=1000, help="seals in the database (default 1000)")
    parser.add_argument("--rounds", type=bench.positive, default=2)
    parser.add_argument("--duration", type=bench.positive, default=5)
    parser.add_argument("--warmup", type=bench.positive, default=2)
    parser.add_argument("--connections", type=bench.positive, default=32)
    parser.add_argument("--wrk-threads", type=bench.positive, default=2)
    parser.add_argument("--workers", type=bench.positive, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=bench.positive, default=4)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if args.worker_class == "sync":
        args.threads = 1
    return args


def prepare(args, env):
    """Schema, N seals (synthetic ones added when fewer), and one real seal on shop.example; its URLs."""
    bench.run([bench.BIN / "seal-server", "init-db"], env)
    engine = create_engine(env["SEAL_DATABASE_URL"])
    with engine.connect() as conn:
        have = conn.scalar(text("SELECT count(*) FROM seals"))
        shop = conn.execute(text("SELECT public_id FROM seals WHERE domain = :d AND status = 'active'"),
                            {"d": bench.DOMAIN}).first()
    engine.dispose()
    if have < args.seals:
        print(f"adding {args.seals - have} synthetic seals: "
              + bench.run([bench.BIN / "seal-server", "synth", "--seals", str(args.seals - have)], env).strip())
    if shop is None:
        issued = json.loads(bench.run([bench.BIN / "seal-server", "issue", "--domain", bench.DOMAIN, "--name-fa",
                                       "فروشگاه محک", "--name-en", "Benchmark Shop", "--owner", "سارا احمدی",
                                       "--json"], env))
        badge = urlsplit(issued["badge_url"])
    else:
        code = bench.run([bench.BIN / "python", "-c",
                          "from seal_server import create_app; from seal_server.seals import service\n"
                          f"app = create_app()\nwith app.app_context(): print(service.code_for(service.get_seal('{shop[0]}')))"],
                         env).strip()
        badge = urlsplit(f"/badge/{shop[0]}.svg?code={code}")
    seal_id = badge.path.rsplit("/", 1)[1][:-4]
    return {
        "badge": f"{badge.path}?{badge.query}",
        "verify": f"/verify/{seal_id}?{badge.query}",
        "api": f"/api/v1/seals/{seal_id}?{badge.query}",
        "registry": "/registry",
        "search": f"/registry?q={SEARCH}",
    }[args.route]


def start_bare(body, headers, path, port, args, env, workdir, servers):
    """A bare Flask route serving the same bytes and headers as the real route: the same-run baseline."""
    (workdir / "body").write_bytes(body)
    (workdir / "headers.json").write_text(json.dumps(bench.app_headers(headers)))
    bare = bench.Server("bare", "bare_app:app", port, args,
                        dict(env, BENCH_BARE_BODY=str(workdir / "body"),
                             BENCH_BARE_HEADERS=str(workdir / "headers.json")),
                        workdir, bench.REPO, pythonpath=bench.BENCH)
    servers.append(bare)
    bare.wait_ready(path)
    return bare, f"http://127.0.0.1:{port}{path}"


def alternate(real, real_url, bare, bare_url, args):
    """Warm both up, then measure them in alternating rounds; returns (runs, load before, load after)."""
    for server, url in ((real, real_url), (bare, bare_url)):
        bench.check_run("warm-up", bench.measure(server, url, args.warmup, args))
    runs = {"route": [], "bare": []}
    load_before = os.getloadavg()
    for round_no in range(args.rounds):
        order = [("route", real, real_url), ("bare", bare, bare_url)]
        if round_no % 2:
            order.reverse()
        for name, server, url in order:
            result = bench.measure(server, url, args.duration, args)
            bench.check_run(name, result)
            runs[name].append(result)
            print(f"  round {round_no + 1} {name:5s} {result['rps']:8.1f} req/s  p99 {result['p99_ms']:7.2f} ms"
                  f"  server CPU {result['server_cpu_us_per_request']:7.1f} us/request")
    return runs, load_before, os.getloadavg()


def main(argv=None):
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):  # SystemExit runs the finally blocks that stop both gunicorns
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="seal-bench-") as tmp:
        workdir = Path(tmp)
        env = dict(os.environ)
        env.update({
            "SEAL_ENV": "development", "SEAL_SECRET_KEYS": "bench-key-" + "x" * 40,
            "SEAL_STATUS_KEYS": "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "SEAL_DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SEAL_OUTBOX_PAGE": "0", "PYTHONDONTWRITEBYTECODE": "1",
        })
        env.pop("SEAL_DEMO", None)
        real_port, bare_port = bench.free_ports(2)
        env["SEAL_BASE_URL"] = f"http://127.0.0.1:{real_port}"
        try:
            path = prepare(args, env)
        except bench.BenchError as error:
            print(f"benchmark setup failed: {error}", file=sys.stderr)
            return 1
        servers = []
        try:
            real = bench.Server("route", "seal_server:create_app()", real_port, args, env, workdir, bench.REPO)
            servers.append(real)
            real.wait_ready("/healthz")
            real_url = f"http://127.0.0.1:{real_port}{path}"
            status, headers, body = bench.fetch(real_url)
            if status != 200:
                raise bench.BenchError(f"{args.route} answered {status}")
            bare, bare_url = start_bare(body, headers, path, bare_port, args, env, workdir, servers)
            print(f"{args.route}: {path} -> {status}, {len(body)} bytes; {args.seals} seals; "
                  f"{env['SEAL_DATABASE_URL'].split(':')[0]}; gunicorn {args.workers} x {args.worker_class}")
            runs, load_before, load_after = alternate(real, real_url, bare, bare_url, args)
        except bench.BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
    ratios = [r["rps"] / b["rps"] for r, b in zip(runs["route"], runs["bare"])]
    summary = {
        "route": args.route, "seals": args.seals, "ratio_median": statistics.median(ratios), "ratios": ratios,
        "p99_ms_median": statistics.median(r["p99_ms"] for r in runs["route"]),
        "rps_median": statistics.median(r["rps"] for r in runs["route"]),
        "bare_rps_median": statistics.median(r["rps"] for r in runs["bare"]),
        "cpu_ratio": statistics.median(r["server_cpu_us_per_request"] for r in runs["bare"])
        / statistics.median(r["server_cpu_us_per_request"] for r in runs["route"]),
        "load": [load_before, load_after],
    }
    print(f"ratio {args.route}/bare (median of rounds): {summary['ratio_median']:.3f} "
          f"({', '.join(f'{r:.3f}' for r in ratios)}); p99 {summary['p99_ms_median']:.1f} ms; "
          f"server CPU bare/route {summary['cpu_ratio']:.3f}; load {load_before[0]:.1f} -> {load_after[0]:.1f}")
    if not args.no_save:
        results = bench.BENCH / "results"
        results.mkdir(exist_ok=True)
        out = results / f"{args.route}-{args.seals}-{started:%Y%m%dT%H%M%SZ}.json"
        out.write_text(json.dumps({"settings": vars(args), "summary": summary, "runs": runs},
                                  indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
