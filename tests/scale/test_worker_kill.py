"""A gunicorn worker killed mid-request: the other workers answer every request, and gunicorn replaces it.

Real parts: gunicorn with deploy/gunicorn.conf.py (2 sync workers) on PostgreSQL, client threads sending
badge, API, verification page and registry requests the whole time, and one request held in flight: its
headers promise a form body that never fully arrives, so the worker that accepted it sits inside the
app reading the form. The test finds that worker through the kernel (the process holding the accepted
socket of our connection, from /proc), not through anything the app says, and SIGKILLs it.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seal_server.extensions import db
from seal_server.seals import service
from tests.conftest import TEST_KEYS, TEST_STATUS_KEYS
from tests.factories import issue
from tests.scale.test_redis_bus import free_port, wait_for

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def _children(pid):
    """Pids whose parent is `pid` (gunicorn's workers)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _holder_of(server_port, client_port, pids):
    """The pid among `pids` holding the server side of the TCP connection from `client_port`, or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == server_port and int(remote.rsplit(":", 1)[1], 16) == client_port:
                inodes.add(f"socket:[{inode}]")
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
        except OSError:
            continue
    return None


@pytest.fixture
def gunicorn(app, database_url, tmp_path, now):
    if not database_url.startswith("postgresql"):
        pytest.skip("the worker kill is tested on PostgreSQL (SEAL_TEST_DATABASE_URL)")
    with app.app_context():
        seal = issue(now=now)
        code = service.code_for(seal)
        paths = [f"/badge/{seal.public_id}.svg?code={code}", f"/api/v1/seals/{seal.public_id}?code={code}",
                 f"/verify/{seal.public_id}?code={code}", "/registry", "/healthz"]
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = dict(os.environ, SEAL_DATABASE_URL=database_url, SEAL_SECRET_KEYS=",".join(TEST_KEYS),
               SEAL_STATUS_KEYS=",".join(TEST_STATUS_KEYS), SEAL_WEB_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2",
               SEAL_WEB_WORKER_CLASS="sync", SEAL_BASE_URL="http://seal.test", PYTHONUNBUFFERED="1")
    for name in ("SEAL_DEMO", "SEAL_REDIS_URL", "SEAL_ENV"):
        env.pop(name, None)
    log = open(tmp_path / "gunicorn.log", "w")
    master = subprocess.Popen([BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "seal_server:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: _get(port, "/healthz") == 200 and len(_children(master.pid)) == 2, 30, "gunicorn up")
        yield master, port, paths, tmp_path / "gunicorn.log"
    finally:
        master.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            master.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(master.pid, signal.SIGKILL)
            master.wait(5)
        log.close()


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Referer": "https://shop.example/"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_worker_killed_mid_request_costs_only_its_own_request(gunicorn):
    master, port, paths, log = gunicorn
    before = _children(master.pid)
    for path in paths:  # every route answers before the kill (and each worker warms its caches)
        assert _get(port, path) in (200, 304), path
    stop, lock, results = threading.Event(), threading.Lock(), []

    def client(offset):
        n = offset
        while not stop.is_set():
            path = paths[n % len(paths)]
            n += 1
            try:
                status = _get(port, path)
            except OSError as error:
                status = f"{type(error).__name__}: {error}"
            with lock:
                results.append((time.monotonic(), path, status))
    clients = [threading.Thread(target=client, args=(offset,)) for offset in range(3)]
    for thread in clients:
        thread.start()
    try:
        # a request held in flight: the headers promise 4 KB of form, 20 bytes come
        held = socket.create_connection(("127.0.0.1", port), timeout=10)
        held.sendall(b"POST /account/enter HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\n"
                     b"national_code=00135")
        client_port = held.getsockname()[1]
        found = []
        wait_for(lambda: found.append(_holder_of(port, client_port, before)) or found[-1] is not None, 10,
                 "a worker took the held request")
        victim = found[-1]
        time.sleep(0.5)  # the victim is inside the app, reading the form; the others keep streaming
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        try:
            assert held.recv(1024) == b""  # the in-flight request dies with its worker
        except ConnectionResetError:
            pass
        held.close()
        wait_for(lambda: len(_children(master.pid)) == 2 and victim not in _children(master.pid), 20,
                 "gunicorn started a new worker")
        replacement = (_children(master.pid) - before).pop()
        wait_for(lambda: len([r for r in results if r[0] > killed_at]) > 20, 10, "requests after the kill")
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in clients:
            thread.join(15)
    assert master.poll() is None and replacement != victim
    bad = [(path, status) for _, path, status in results if status not in (200, 301, 302, 303, 304)]
    assert not bad, f"{len(bad)} of {len(results)} requests failed: {bad[:5]}"
    assert len(results) > 50
    assert {path for _, path, _ in results} == set(paths)
    assert f"Worker (pid:{victim}) was sent SIGKILL" in log.read_text()
