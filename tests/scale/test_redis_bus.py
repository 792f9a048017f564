"""Two app processes and Redis: a status change made anywhere reaches every process within a second.

Real servers: a redis-server of the test's own on a free loopback port (stopped and started by
the test), two gunicorns serving the app, and `seal-server` commands as a third process.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s")


class RedisServer:
    def __init__(self, workdir):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("redis-server not found; scripts/bootstrap --test installs Debian's redis-server")
        self.port, self.workdir, self.process = free_port(), workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), 0.2).close() or True, 10, "redis up")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def badge_state(port, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Referer": "https://shop.example/"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.headers["X-Seal-State"]


@pytest.fixture
def servers(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    env = dict(os.environ, SEAL_DATABASE_URL=f"sqlite:///{tmp_path / 'seal.sqlite3'}", SEAL_REDIS_URL=redis.url,
               SEAL_BADGE_CACHE_SECONDS="60", SEAL_SECRET_KEYS="bus-test-key-0123456789abcdefghijklmnopqrstuv",
               SEAL_BASE_URL="http://127.0.0.1:1", PYTHONUNBUFFERED="1")
    env.pop("SEAL_DEMO", None)

    def cli(*args):
        done = subprocess.run([BIN / "seal-server", *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("init-db")
    issued = json.loads(cli("issue", "--domain", "shop.example", "--name-fa", "فروشگاه", "--owner", "سارا احمدی",
                            "--json"))
    processes, ports = [], []
    try:
        for n in range(2):
            port = free_port()
            with open(tmp_path / f"gunicorn-{n}.log", "w") as log:
                processes.append(subprocess.Popen(
                    [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1",
                     "--no-control-socket", "seal_server:create_app()"],
                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            ports.append(port)
        path = "/badge/" + issued["badge_url"].split("/badge/", 1)[1]
        for port in ports:
            wait_for(lambda port=port: badge_state(port, path) == "valid", 30, "gunicorn up")
        yield {"cli": cli, "ports": ports, "path": path, "id": issued["id"], "redis": redis,
               "logs": [tmp_path / f"gunicorn-{n}.log" for n in range(2)]}
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        if redis.process.poll() is None:
            redis.stop()


def test_a_change_reaches_every_process_within_a_second_and_survives_redis_going_away(servers):
    ports, path, cli = servers["ports"], servers["path"], servers["cli"]
    time.sleep(1.5)  # both listeners subscribed (each clears its cache when it subscribes)
    for port in ports:
        assert badge_state(port, path) == "valid"  # cached now, for 60 s

    cli("suspend", servers["id"], "--reason", "complaints")
    changed = time.monotonic()
    for port in ports:
        wait_for(lambda port=port: badge_state(port, path) == "suspended", 1.0 - (time.monotonic() - changed),
                 "the other process's badge says suspended")

    servers["redis"].stop()
    for _ in range(20):  # Redis down: every badge still answers, from the cache or the database
        for port in ports:
            assert badge_state(port, path) == "suspended"
    time.sleep(2.5)
    cli("reinstate", servers["id"])  # publishing fails: the change shows only when the cache expires
    for log in servers["logs"]:
        assert log.read_text().count("is unreachable") == 1, log.read_text()

    servers["redis"].start()  # back: the listeners resubscribe, drop what they held, and hear changes again
    wait_for(lambda: all(badge_state(port, path) == "valid" for port in ports), 5, "the listeners come back")
    for log in servers["logs"]:
        assert "reachable again" in log.read_text()
    time.sleep(0.5)
    cli("suspend", servers["id"], "--reason", "again")
    changed = time.monotonic()
    for port in ports:
        wait_for(lambda port=port: badge_state(port, path) == "suspended", 1.0 - (time.monotonic() - changed),
                 "pub/sub resumed after Redis came back")
