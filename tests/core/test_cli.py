"""The seal-server command: errors must be one line and a non-zero exit, never a traceback.

Most tests call the console script's entry point in-process (fast); a few run it as a real process.
"""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from seal_server.cli import main

CLI_ENV = {
    "SEAL_BASE_URL": "https://seal.example",
    "SEAL_SECRET_KEYS": "cli-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
}


@pytest.fixture
def seal_server(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEAL_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    for name, value in CLI_ENV.items():
        monkeypatch.setenv(name, value)

    def run(*args, check=True):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        result = SimpleNamespace(returncode=code, stdout=out, stderr=err)
        if check:
            assert code == 0, err
        return result

    run("init-db")
    return run


def run_process(tmp_path, *args):
    env = {**os.environ, **CLI_ENV, "SEAL_DATABASE_URL": "sqlite:///" + str(tmp_path / "p.sqlite3")}
    return subprocess.run([sys.executable, "-m", "seal_server.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_real_process_success_and_one_line_error(tmp_path):
    assert run_process(tmp_path, "init-db").returncode == 0
    issued = run_process(tmp_path, "issue", "--domain", "p.example", "--name-fa", "x", "--owner", "y", "--json")
    assert issued.returncode == 0 and json.loads(issued.stdout)["id"]
    bad = run_process(tmp_path, "issue", "--domain", "10.0.0.1", "--name-fa", "x", "--owner", "y")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr


def test_issue_json_and_lifecycle(seal_server):
    out = seal_server("issue", "--domain", "https://Shop.Example/path", "--name-fa", "فروشگاه",
                      "--name-en", "Shop", "--owner", "Maryam Ahmadi", "--json").stdout
    data = json.loads(out)
    assert set(data) == {"id", "code", "snippet", "verify_url", "badge_url"}
    assert data["verify_url"] == f"https://seal.example/verify/{data['id']}?code={data['code']}"
    assert data["badge_url"] in data["snippet"] and 'referrerpolicy="origin"' in data["snippet"]
    assert "is now suspended" in seal_server("suspend", data["id"], "--reason", "test").stdout
    assert "is now active" in seal_server("reinstate", data["id"]).stdout
    assert "is now revoked" in seal_server("revoke", data["id"], "--reason", "closed").stdout


def test_issue_kinds_stars_days(seal_server):
    data = json.loads(seal_server("issue", "--domain", "gray.example", "--name-fa", "خاکستری", "--owner",
                                  "شرکت نمونه", "--legal", "--kind", "gray", "--days", "30", "--json").stdout)
    assert len(data["id"]) == 12


def test_tick_with_now_expires(seal_server):
    data = json.loads(seal_server("issue", "--domain", "t.example", "--name-fa", "ت", "--owner", "A B",
                                  "--days", "1", "--json").stdout)
    result = json.loads(seal_server("tick", "--now", "2099-01-01T00:00:00+03:30").stdout)
    assert result["expired"] == [data["id"]]
    assert json.loads(seal_server("tick", "--now", "2099-01-01T00:00:00").stdout)["expired"] == []


def test_demo_prints_snippets_for_every_state(seal_server):
    out = seal_server("demo").stdout
    for state in ("valid", "gray", "temporary", "suspended", "expired", "revoked", "foreign"):
        assert f"# {state}:" in out
    assert out.count("<a referrerpolicy") == 7
    assert seal_server("demo").stdout.count("<a referrerpolicy") == 7  # running twice adds nothing


@pytest.mark.parametrize("args, message", [
    (["issue", "--domain", "10.0.0.1", "--name-fa", "x", "--owner", "y"], "IP address"),
    (["issue", "--domain", "localhost", "--name-fa", "x", "--owner", "y"], "full domain"),
    (["issue", "--domain", "a.example", "--name-fa", "x", "--owner", "y", "--stars", "9"], "--stars"),
    (["issue", "--domain", "a.example", "--name-fa", "x", "--owner", "y", "--kind", "gold"], "--kind"),
    (["issue", "--name-fa", "x"], "--domain"),
    (["suspend", "zzzzzzzzzzzz", "--reason", "x"], "no seal"),
    (["suspend", "../../etc/passwd", "--reason", "x"], "no seal"),
    (["suspend", "zzzzzzzzzzzz"], "--reason"),
    (["reinstate"], "PUBLIC_ID"),
    (["tick", "--now", "yesterday"], "ISO 8601"),
    (["no-such-command"], "no-such-command"),
])
def test_bad_arguments_give_one_line_and_non_zero(seal_server, args, message):
    result = seal_server(*args, check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and "Traceback" not in result.stderr


def test_second_seal_for_a_domain_is_refused(seal_server):
    seal_server("issue", "--domain", "dup.example", "--name-fa", "x", "--owner", "y")
    result = seal_server("issue", "--domain", "dup.example", "--name-fa", "x", "--owner", "y", check=False)
    assert result.returncode == 1 and "already holds a live seal" in result.stderr


def test_reinstating_an_active_seal_is_refused(seal_server):
    data = json.loads(seal_server("issue", "--domain", "r.example", "--name-fa", "x", "--owner", "y",
                                  "--json").stdout)
    result = seal_server("reinstate", data["id"], check=False)
    assert result.returncode == 1 and result.stderr.strip() == "seal-server: cannot reinstate a seal that is active"


def test_missing_schema_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEAL_DATABASE_URL", "sqlite:///" + str(tmp_path / "empty.sqlite3"))
    assert main(["tick"]) == 1
    err = capsys.readouterr().err
    assert "init-db" in err and len(err.strip().splitlines()) == 1
