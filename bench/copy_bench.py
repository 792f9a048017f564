"""Load benchmark: the badge seen on other sites (copy detection counting) against the badge on its own site.

Both runs hit the same gunicorn (same seal, same answer cache): one with Referers of its registered
domain (not counted), one with Referers of HOSTS other sites in turn (each request counted in memory,
flushed every SEAL_COPY_FLUSH_SECONDS by each worker's timer). wrk sends both through the same Lua
script, so the client's cost is the same. The figure is the ratio foreign/own requests per second
(goal: at least 0.9). At the end the server stops gracefully and the table must hold every foreign
request wrk saw answered: nothing was lost on the way.

  .venv/bin/python bench/copy_bench.py [--redis-url redis://127.0.0.1:6379/12] [--rounds 3 --duration 10]
  .venv/bin/python bench/copy_bench.py --in-process   # the same two loads through the WSGI app, no network

On a busy machine the load figures swing from round to round; --in-process calls the app directly,
alternating the two loads and keeping each one's best time, which holds steadier.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import badge_bench as bench
from sqlalchemy import create_engine, text

HOSTS = 500
LUA = """
local referers = {}
for i = 1, %(count)d do referers[i] = %(referer)s end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", nil, {["Referer"] = referers[(n %% %(count)d) + 1]})
end
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=bench.positive, default=3)
    parser.add_argument("--duration", type=bench.positive, default=10)
    parser.add_argument("--warmup", type=bench.positive, default=3)
    parser.add_argument("--connections", type=bench.positive, default=32)
    parser.add_argument("--wrk-threads", type=bench.positive, default=2)
    parser.add_argument("--workers", type=bench.positive, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=bench.positive, default=4)
    parser.add_argument("--flush-seconds", type=bench.positive, default=2,
                        help="SEAL_COPY_FLUSH_SECONDS, short so flushes happen during every run (default 2)")
    parser.add_argument("--redis-url", help="count through Redis (SEAL_REDIS_URL); flushed into SQLite by tick")
    parser.add_argument("--in-process", action="store_true", help="time WSGI calls in this process instead")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if args.worker_class == "sync":
        args.threads = 1
    return args


def script(workdir, name, referer_expr):
    path = workdir / f"{name}.lua"
    path.write_text(LUA % {"count": HOSTS, "referer": referer_expr})
    return path


def wrk(url, seconds, args, lua):
    cmd = ["wrk", "--latency", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s",
           "-s", str(lua), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise bench.BenchError(f"wrk failed ({done.returncode}): {done.stderr}")
    return bench.parse_wrk(done.stdout)


def measure(server, url, seconds, args, lua):
    before = server.cpu_seconds()
    result = wrk(url, seconds, args, lua)
    result["server_cpu_us_per_request"] = (server.cpu_seconds() - before) / result["requests"] * 1e6
    bench.check_run(lua.stem, result)
    return result


def counted(env):
    engine = create_engine(env["SEAL_DATABASE_URL"])
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT coalesce(sum(count), 0) FROM copy_sightings"))
        hosts = conn.scalar(text("SELECT count(*) FROM copy_sightings"))
    engine.dispose()
    return int(total), int(hosts)


def in_process(env, path, rounds=10, calls=5000):
    """Best microseconds per request of each load, calling the app's WSGI callable directly."""
    import time

    os.environ.update(env)
    from seal_server import create_app
    from werkzeug.test import EnvironBuilder

    app = create_app()
    base, _, query = path.partition("?")
    loads = {"own": [f"https://{bench.DOMAIN}/"] * HOSTS,
             "foreign": [f"https://copy{n}.example/" for n in range(HOSTS)]}
    environs = {name: [EnvironBuilder(path=base, query_string=query, headers={"Referer": referer}).get_environ()
                       for referer in referers] for name, referers in loads.items()}
    best = {"own": float("inf"), "foreign": float("inf")}

    def ignore(status, headers, exc_info=None):
        return None

    for _ in range(rounds):
        for name, batch in environs.items():
            started = time.perf_counter()
            for n in range(calls):
                app.wsgi_app(dict(batch[n % HOSTS]), ignore)
            best[name] = min(best[name], (time.perf_counter() - started) / calls * 1e6)
    app.extensions["seal_copies"].flush()
    return best


def main(argv=None):
    args = parse_args(argv)
    if args.in_process:
        with tempfile.TemporaryDirectory(prefix="seal-copy-bench-") as tmp:
            env = {"SEAL_ENV": "development", "SEAL_SECRET_KEYS": "bench-key-" + "x" * 40,
                   "SEAL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SEAL_COPY_FLUSH_SECONDS": "0",
                   "SEAL_BASE_URL": "http://127.0.0.1:1", "SEAL_DEMO": "0"}
            if args.redis_url:
                env["SEAL_REDIS_URL"] = args.redis_url
            _, path = bench.issue_seal(dict(os.environ, **env), bench.REPO)
            best = in_process(env, path)
        print(f"in process: own {best['own']:.1f} us/request, foreign {best['foreign']:.1f} us/request; "
              f"ratio (requests per second) foreign/own {best['own'] / best['foreign']:.3f}")
        return 0
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="seal-copy-bench-") as tmp:
        workdir = Path(tmp)
        env = dict(os.environ, SEAL_ENV="development", SEAL_SECRET_KEYS="bench-key-" + "x" * 40,
                   SEAL_STATUS_KEYS="3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                   SEAL_DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}", SEAL_OUTBOX_PAGE="0",
                   SEAL_COPY_FLUSH_SECONDS=str(args.flush_seconds), SEAL_COPY_REPORT_THRESHOLD=str(10**9),
                   PYTHONDONTWRITEBYTECODE="1")
        env.pop("SEAL_DEMO", None)
        env.pop("SEAL_REDIS_URL", None)
        if args.redis_url:
            env["SEAL_REDIS_URL"] = args.redis_url
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
        port, = bench.free_ports(1)
        env["SEAL_BASE_URL"] = f"http://127.0.0.1:{port}"
        own = script(workdir, "own", f'"https://{bench.DOMAIN}/"')
        foreign = script(workdir, "foreign", '"https://copy" .. i .. ".example/"')
        server = None
        try:
            _, path = bench.issue_seal(env, bench.REPO)
            server = bench.Server("badge", "seal_server:create_app()", port, args, env, workdir, bench.REPO)
            url = f"http://127.0.0.1:{port}{path}"
            server.wait_ready(path)
            bench.check_badge(url)
            print(f"badge {path}; gunicorn {args.workers} x {args.worker_class}; {HOSTS} foreign hosts; "
                  f"flush every {args.flush_seconds} s {'to Redis' if args.redis_url else 'to SQLite'}")
            sent = measure(server, url, args.warmup, args, foreign)["requests"]
            measure(server, url, args.warmup, args, own)
            runs = {"own": [], "foreign": []}
            for round_no in range(args.rounds):
                order = [("own", own), ("foreign", foreign)]
                if round_no % 2:
                    order.reverse()
                for name, lua in order:
                    result = measure(server, url, args.duration, args, lua)
                    runs[name].append(result)
                    if name == "foreign":
                        sent += result["requests"]
                    print(f"  round {round_no + 1} {name:7s} {result['rps']:8.1f} req/s  p99 {result['p99_ms']:7.2f} ms"
                          f"  server CPU {result['server_cpu_us_per_request']:7.1f} us/request")
        except bench.BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.stop()  # SIGTERM: each worker hands on what it still holds
        if args.redis_url:
            bench.run([bench.BIN / "seal-server", "tick"], env)
        total, hosts = counted(env)
    ratios = [f["rps"] / o["rps"] for f, o in zip(runs["foreign"], runs["own"])]
    summary = {"ratio_median": statistics.median(ratios), "ratios": ratios,
               "own_rps_median": statistics.median(r["rps"] for r in runs["own"]),
               "foreign_rps_median": statistics.median(r["rps"] for r in runs["foreign"]),
               "foreign_p99_ms_median": statistics.median(r["p99_ms"] for r in runs["foreign"]),
               "own_p99_ms_median": statistics.median(r["p99_ms"] for r in runs["own"]),
               "cpu_ratio": statistics.median(r["server_cpu_us_per_request"] for r in runs["own"])
               / statistics.median(r["server_cpu_us_per_request"] for r in runs["foreign"]),
               "foreign_requests_answered": sent, "counted": total, "hosts": hosts}
    print(f"ratio foreign/own (median of rounds): {summary['ratio_median']:.3f} "
          f"({', '.join(f'{r:.3f}' for r in ratios)}); p99 foreign {summary['foreign_p99_ms_median']:.1f} ms, "
          f"own {summary['own_p99_ms_median']:.1f} ms; server CPU per request own/foreign {summary['cpu_ratio']:.3f}")
    print(f"counted {total} sightings on {hosts} hosts; wrk saw {sent} foreign requests answered"
          + ("" if total >= sent else "  << COUNTS LOST"))
    if not args.no_save:
        results = bench.BENCH / "results"
        results.mkdir(exist_ok=True)
        out = results / f"copy-{started:%Y%m%dT%H%M%SZ}.json"
        out.write_text(json.dumps({"settings": vars(args), "summary": summary, "runs": runs}, indent=2) + "\n")
    return 0 if total >= sent else 1


if __name__ == "__main__":
    sys.exit(main())
