"""Load benchmark: the real badge route against a bare Flask route serving the same bytes.

Run it through bench/run, which makes sure the virtualenv and wrk are there.
Both apps run under gunicorn with identical settings on 127.0.0.1; wrk drives
each in turn, alternating the order every round, and the result is reported as
a ratio so that it means the same on a fast or a slow machine. It exits non-zero
only when the setup is broken (a badge that is not 200 / valid, a baseline that
differs from it, errors under load), never because the figures miss a target.
"""
import argparse
import functools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BIN = Path(sys.executable).parent
REFERER = "https://shop.example/"
DOMAIN = "shop.example"
TARGET_RATIO = 0.9
TARGET_P99_MS = 25.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Headers the server (not the app) writes; everything else must match byte for byte.
SERVER_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding"}


class BenchError(RuntimeError):
    """The benchmark cannot produce a meaningful figure; the message says why."""


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=positive, default=3, help="measured runs per app (default 3)")
    parser.add_argument("--duration", type=positive, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=positive, default=3, help="seconds of warm-up per app (default 3)")
    parser.add_argument("--connections", type=positive, default=32, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=positive, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=positive, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class (default sync: the badge's best p99 here, see README)")
    parser.add_argument("--threads", type=positive, default=4,
                        help="threads per gthread worker (default 4, as in the Procfile)")
    parser.add_argument("--app", default="seal_server:create_app()",
                        help="gunicorn app for the badge side, to try a change (default seal_server:create_app())")
    parser.add_argument("--ref", help="benchmark seal_server as committed at this git revision "
                        "(default: the working tree)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    return parser.parse_args(argv)


def free_ports(count):
    """Distinct free ports on 127.0.0.1 (all held open at once, so none is handed out twice)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def run(cmd, env, cwd=REPO):
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


def fetch(url, referer=REFERER):
    """(status, headers as a list of pairs, body) of one GET; 4xx/5xx are answers, not errors."""
    request = urllib.request.Request(url, headers={"Referer": referer})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, list(answer.headers.items()), answer.read()


@functools.cache
def _has_control_socket():
    """gunicorn 24+ opens a control socket in the home folder unless told not to."""
    return "--no-control-socket" in run([BIN / "gunicorn", "--help"], os.environ)


class Server:
    """One gunicorn in its own process group, so stopping it takes its workers too."""

    def __init__(self, name, app, port, args, env, workdir, src, pythonpath=None):
        self.name, self.port = name, port
        self.log = workdir / f"{name}-gunicorn.log"
        cmd = [
            str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--worker-class", args.worker_class,
            "--threads", str(args.threads), "--backlog", "2048",
            "--error-logfile", str(self.log), "--log-level", "warning",
        ]
        if _has_control_socket():
            cmd.append("--no-control-socket")  # else both servers share ~/.gunicorn/gunicorn.ctl
        if pythonpath:
            cmd += ["--pythonpath", str(pythonpath)]
        self.cmd = cmd + [app]
        self.process = subprocess.Popen(
            self.cmd, env=env, cwd=src, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, path, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                fetch(f"http://127.0.0.1:{self.port}{path}")
                return
            except OSError:
                time.sleep(0.1)
        log = self.log.read_text() if self.log.exists() else ""
        raise BenchError(f"{self.name} gunicorn did not come up on port {self.port}:\n{log}")

    def pids(self):
        """The master and its workers."""
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            children = []
        return [master, *map(int, children)]

    def cpu_seconds(self):
        """CPU time (user + system) the master and its workers, live or reaped, have used so far."""
        if self.process.poll() is not None:
            raise BenchError(f"{self.name} gunicorn exited:\n{self.log.read_text()}")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that just exited; the master's reaped-children time counts it
            total += sum(int(value) for value in fields[11:13 if pid != self.process.pid else 15])
        return total / CLOCK_TICKS

    def stop(self):
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def issue_seal(env, src):
    run([BIN / "seal-server", "init-db"], env, src)
    out = run([BIN / "seal-server", "issue", "--domain", DOMAIN, "--name-fa", "فروشگاه محک",
               "--name-en", "Benchmark Shop", "--owner", "سارا احمدی", "--json"], env, src)
    issued = json.loads(out)
    badge = urlsplit(issued["badge_url"])
    return issued["id"], f"{badge.path}?{badge.query}"


def check_badge(url, tries=20):
    """Fail loudly unless the badge answers 200, X-Seal-State: valid, an SVG, on every worker."""
    first = None
    for _ in range(tries):
        status, headers, body = fetch(url)
        state = dict((k.lower(), v) for k, v in headers).get("x-seal-state")
        if status != 200 or state != "valid" or not body.startswith(b"<svg"):
            raise BenchError(f"badge sanity check failed: {url} gave {status}, X-Seal-State={state!r}")
        first = first or (status, headers, body)
    return first


def app_headers(headers):
    return [(k, v) for k, v in headers if k.lower() not in SERVER_HEADERS]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output):
    """Requests/s, latency percentiles (ms) and error counts from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not rps:
        raise BenchError(f"cannot read wrk output:\n{output}")
    result = {
        "rps": float(rps.group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx_3xx": 0, "socket_errors": {},
    }
    for pct in ("50", "75", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}_ms"] = _ms(found.group(1)) if found else None
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_ok:
        result["non_2xx_3xx"] = int(non_ok.group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups())))
    return result


def measure(server, url, seconds, args):
    """One wrk run, plus the CPU time the server spent per request (robust to a busy machine)."""
    cpu_before = server.cpu_seconds()
    result = wrk(url, seconds, args)
    used = server.cpu_seconds() - cpu_before
    if used <= 0:
        raise BenchError(f"{server.name} gunicorn used no CPU while wrk sent it {result['requests']} requests: "
                         f"something else answers on port {server.port}")
    result["server_cpu_us_per_request"] = used / result["requests"] * 1e6
    return result


def wrk(url, seconds, args):
    cmd = ["wrk", "--latency", "-t", str(args.wrk_threads), "-c", str(args.connections),
           "-d", f"{seconds}s", "-H", f"Referer: {REFERER}", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr}")
    return parse_wrk(done.stdout)


def check_run(name, result):
    if result["non_2xx_3xx"]:
        raise BenchError(f"{name}: {result['non_2xx_3xx']} responses under load were not 2xx/3xx")
    if any(result["socket_errors"].values()):
        raise BenchError(f"{name}: socket errors under load: {result['socket_errors']}")


def machine():
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip(),
        "gunicorn": run([BIN / "gunicorn", "--version"], os.environ).strip(),
    }


def source(args):
    if args.ref:
        return {"ref": "commit", "commit": args.ref[:12], "dirty": False}
    return {"ref": "working tree", "commit": _git("rev-parse", "--short", "HEAD"),
            "dirty": bool(_git("status", "--porcelain", "--", "seal_server"))}


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _git(*args):
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def source_tree(ref, workdir):
    """Where seal_server is imported from: the working tree, or `ref` exported from git."""
    if ref is None:
        return REPO
    src = workdir / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", ref, "seal_server"],
                             cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        raise BenchError(f"git archive {ref} failed: {archive.stderr.decode()}")
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    return src


def benchmark(args, workdir):
    # gunicorn puts its working directory first on sys.path, and PYTHONPATH covers the CLI.
    src = source_tree(args.ref, workdir)
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])),
        "SEAL_ENV": "production", "SEAL_ALLOW_SANDBOX_GATEWAY": "1",
        "SEAL_SMS_BACKEND": "kavenegar", "SEAL_KAVENEGAR_API_KEY": "bench", "SEAL_EMAIL_BACKEND": "smtp",
        "SEAL_SECRET_KEYS": secrets.token_urlsafe(48),
        "SEAL_STATUS_KEYS": secrets.token_urlsafe(32)[:43],  # production refuses to start without one
        "SEAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.pop("SEAL_DEMO", None)
    seal_id, path = issue_seal(env, src)

    real_port, bare_port = free_ports(2)
    env["SEAL_BASE_URL"] = f"http://127.0.0.1:{real_port}"
    servers = []
    try:
        real = Server("badge", args.app, real_port, args, env, workdir, src)
        servers.append(real)
        real.wait_ready("/healthz")
        real_url = f"http://127.0.0.1:{real_port}{path}"
        status, headers, body = check_badge(real_url)

        (workdir / "body.svg").write_bytes(body)
        (workdir / "headers.json").write_text(json.dumps(app_headers(headers)))
        bare_env = dict(env, BENCH_BARE_BODY=str(workdir / "body.svg"),
                        BENCH_BARE_HEADERS=str(workdir / "headers.json"))
        bare = Server("bare", "bare_app:app", bare_port, args, bare_env, workdir, src,
                      pythonpath=BENCH)
        servers.append(bare)
        bare_url = f"http://127.0.0.1:{bare_port}{path}"
        bare.wait_ready(path)
        bare_status, bare_headers, bare_body = fetch(bare_url)
        if (bare_status, app_headers(bare_headers), bare_body) != (status, app_headers(headers), body):
            raise BenchError(
                "the bare route does not answer exactly like the badge route:\n"
                f"badge: {status} {app_headers(headers)}\nbare:  {bare_status} {app_headers(bare_headers)}"
            )

        print(f"seal {seal_id}: badge {len(body)} bytes, 200, X-Seal-State: valid; bare route identical")
        print(f"gunicorn: {args.workers} workers, {args.worker_class}"
              + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
              + f"; wrk: {args.wrk_threads} threads, {args.connections} connections, Referer {REFERER}")
        load_before = os.getloadavg()
        for name, server, url in (("badge", real, real_url), ("bare", bare, bare_url)):
            check_run(f"{name} warm-up", measure(server, url, args.warmup, args))

        runs = {"badge": [], "bare": []}
        for round_no in range(args.rounds):
            order = [("badge", real, real_url), ("bare", bare, bare_url)]
            if round_no % 2:
                order.reverse()  # ABBA: drift in machine load hits both sides alike
            for name, server, url in order:
                result = measure(server, url, args.duration, args)
                check_run(name, result)
                runs[name].append(result)
                print(f"  round {round_no + 1} {name:5s} {result['rps']:9.1f} req/s  p99 {result['p99_ms']:6.2f} ms"
                      f"  server CPU {result['server_cpu_us_per_request']:6.1f} us/request")
        check_badge(real_url, tries=4)  # still valid after the load
        load_after = os.getloadavg()
    finally:
        for server in servers:
            server.stop()
            log = server.log.read_text().strip() if server.log.exists() else ""
            if log:
                print(f"--- {server.name} gunicorn log (warnings and errors) ---\n{log}")
    return {"seal": seal_id, "path": path, "runs": runs, "load_before": load_before, "load_after": load_after}


def summarize(measured):
    runs = measured["runs"]
    ratios = [b["rps"] / r["rps"] for b, r in zip(runs["badge"], runs["bare"])]
    summary = {
        "badge_rps_median": statistics.median(r["rps"] for r in runs["badge"]),
        "bare_rps_median": statistics.median(r["rps"] for r in runs["bare"]),
        "ratio_median": statistics.median(ratios),
        "ratios": ratios,
        "badge_p99_ms_median": statistics.median(r["p99_ms"] for r in runs["badge"]),
        "badge_p99_ms_max": max(r["p99_ms"] for r in runs["badge"]),
        "bare_p99_ms_median": statistics.median(r["p99_ms"] for r in runs["bare"]),
        "badge_cpu_us_median": statistics.median(r["server_cpu_us_per_request"] for r in runs["badge"]),
        "bare_cpu_us_median": statistics.median(r["server_cpu_us_per_request"] for r in runs["bare"]),
    }
    summary["cpu_ratio"] = summary["bare_cpu_us_median"] / summary["badge_cpu_us_median"]
    summary["ratio_target_met"] = summary["ratio_median"] >= TARGET_RATIO
    summary["p99_target_met"] = summary["badge_p99_ms_median"] < TARGET_P99_MS
    return summary


def report(summary, measured):
    runs = measured["runs"]
    print()
    print(f"{'route':6s} {'req/s':>9s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'server CPU us/req':>18s}"
          "   (medians of rounds)")
    for name in ("badge", "bare"):
        med = {key: statistics.median(r[key] for r in runs[name])
               for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "server_cpu_us_per_request")}
        print(f"{name:6s} {med['rps']:9.1f} {med['p50_ms']:8.2f} {med['p90_ms']:8.2f} {med['p99_ms']:8.2f}"
              f" {med['server_cpu_us_per_request']:18.1f}")
    print()
    print("ratio badge/bare per round: " + ", ".join(f"{r:.3f}" for r in summary["ratios"]))

    def verdict(ok):
        return "meets target" if ok else "BELOW TARGET"

    print(f"ratio badge/bare (median): {summary['ratio_median']:.3f}  "
          f"[target >= {TARGET_RATIO}: {verdict(summary['ratio_target_met'])}]")
    print(f"badge p99 (median of rounds): {summary['badge_p99_ms_median']:.2f} ms, worst round "
          f"{summary['badge_p99_ms_max']:.2f} ms  [target < {TARGET_P99_MS:g} ms: "
          f"{verdict(summary['p99_target_met'])}]")
    print(f"server CPU per request, bare/badge: {summary['cpu_ratio']:.3f}  "
          "(the throughput ratio a saturated server would show; less sensitive to other load)")
    print("load average before/after: " + " / ".join(
        " ".join(f"{x:.2f}" for x in measured[key]) for key in ("load_before", "load_after")))
    print("(the benchmark reports; it does not fail on missed targets, see bench/README.md)")


def main(argv=None):
    args = parse_args(argv)
    if args.worker_class == "sync":
        args.threads = 1  # gunicorn quietly turns sync into gthread when given more threads
    if args.ref:
        commit = _git("rev-parse", "--verify", "--quiet", f"{args.ref}^{{commit}}")
        if not commit:
            print(f"--ref {args.ref}: no such commit", file=sys.stderr)
            return 2
        args.ref = commit  # pinned now: others may move HEAD while the benchmark runs
    if shutil.which("wrk") is None:
        print("wrk is not installed; run bench/run, which installs it", file=sys.stderr)
        return 2
    # Turn SIGTERM/SIGHUP into SystemExit so the finally blocks stop both gunicorns.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(timezone.utc)
    origin = source(args)
    if origin["ref"] == "commit":
        print(f"seal_server: as committed in {origin['commit']}")
    else:
        print(f"seal_server: working tree (HEAD {origin['commit']}"
              + (", with uncommitted changes)" if origin["dirty"] else ")"))
    try:
        with tempfile.TemporaryDirectory(prefix="seal-bench-") as tmp:
            measured = benchmark(args, Path(tmp))
    except BenchError as error:
        print(f"benchmark setup failed: {error}", file=sys.stderr)
        return 1
    summary = summarize(measured)
    report(summary, measured)
    if not args.no_save:
        results = BENCH / "results"
        results.mkdir(exist_ok=True)
        out = results / f"badge-{started:%Y%m%dT%H%M%SZ}.json"
        out.write_text(json.dumps({
            "started": started.isoformat(), "settings": vars(args), "machine": machine(),
            "source": origin,
            "summary": summary, **measured,
        }, indent=2, ensure_ascii=False) + "\n")
        print(f"saved {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
