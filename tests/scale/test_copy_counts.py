"""Copy counts from real gunicorn workers (deploy/gunicorn.conf.py) reach the database: at a graceful exit
without Redis, and through Redis and `seal-server tick` with it."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.scale.test_redis_bus import RedisServer, free_port, wait_for

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def fetch(port, path, referer):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Referer": referer})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.headers.get("X-Seal-State")


@pytest.fixture
def deployment(tmp_path):
    database = tmp_path / "seal.sqlite3"
    env = dict(os.environ, SEAL_DATABASE_URL=f"sqlite:///{database}", SEAL_SECRET_KEYS="copy-test-key-0123456789abcdefghijklmnop",
               SEAL_BASE_URL="http://127.0.0.1:1", PYTHONUNBUFFERED="1", WEB_CONCURRENCY="2",
               SEAL_WEB_WORKER_CLASS="sync", SEAL_COPY_FLUSH_SECONDS="0")
    env.pop("SEAL_DEMO", None)
    env.pop("SEAL_REDIS_URL", None)

    def cli(*args):
        done = subprocess.run([BIN / "seal-server", *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("init-db")
    issued = json.loads(cli("issue", "--domain", "shop.example", "--name-fa", "فروشگاه", "--owner", "سارا احمدی",
                            "--json"))
    started = []

    def start():
        port = free_port()
        log = open(tmp_path / f"gunicorn-{port}.log", "w")
        process = subprocess.Popen([BIN / "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                                    "seal_server:create_app()"], env=dict(env, SEAL_WEB_BIND=f"127.0.0.1:{port}"),
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        started.append((process, log))
        path = "/badge/" + issued["badge_url"].split("/badge/", 1)[1]
        wait_for(lambda: fetch(port, path, "https://shop.example/") == "valid", 30, "gunicorn up")
        return process, port, path

    def counts():
        with sqlite3.connect(database) as conn:
            return dict(conn.execute("select host, count from copy_sightings").fetchall())

    yield {"env": env, "cli": cli, "start": start, "counts": counts}
    for process, log in started:
        if process.poll() is None:
            process.terminate()
            process.wait(20)
        log.close()


def test_a_graceful_stop_hands_every_worker_s_counts_to_the_database(deployment):
    process, port, path = deployment["start"]()
    for n in range(40):  # spread over both workers by the kernel
        assert fetch(port, path, f"https://copy{n % 2}.example/page?x={n}") == "foreign"
    assert deployment["counts"]() == {}  # no timer (SEAL_COPY_FLUSH_SECONDS=0): nothing written while serving
    process.send_signal(signal.SIGTERM)
    process.wait(30)
    assert deployment["counts"]() == {"copy0.example": 20, "copy1.example": 20}


def test_with_redis_workers_push_on_their_timer_and_tick_drains(deployment, tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        deployment["env"].update(SEAL_REDIS_URL=redis.url, SEAL_COPY_FLUSH_SECONDS="1")
        process, port, path = deployment["start"]()
        for n in range(30):
            fetch(port, path, "https://copycat.example/")
        time.sleep(2.5)  # each worker's timer pushed to Redis
        assert deployment["counts"]() == {}  # Redis holds them until tick
        done = json.loads(deployment["cli"]("tick"))
        assert done["copies"]["rows"] >= 1
        assert deployment["counts"]() == {"copycat.example": 30}
        for n in range(5):
            fetch(port, path, "https://copycat.example/")
        process.send_signal(signal.SIGTERM)  # the exit flush goes to Redis too
        process.wait(30)
        deployment["cli"]("tick")
        assert deployment["counts"]() == {"copycat.example": 35}
    finally:
        redis.stop()
