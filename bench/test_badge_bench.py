"""Checks of the benchmark's own parts: run with `.venv/bin/pytest bench`."""
import json

import pytest

import badge_bench

WRK_OK = """Running 1s test @ http://127.0.0.1:18777/badge/x.svg
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.00ms  460.19us   6.45ms   95.23%
    Req/Sec     1.97k   303.39     2.51k    72.73%
  Latency Distribution
     50%  960.00us
     75%    1.06ms
     90%    1.17ms
     99%    1.20s
  2153 requests in 1.10s, 311.31KB read
Requests/sec:   1953.05
Transfer/sec:    282.40KB
"""

WRK_ERRORS = """Running 1s test @ http://127.0.0.1:18777/nope
  1 threads and 2 connections
  Latency Distribution
     50%    0.86ms
     75%    1.00ms
     90%    1.20ms
     99%    6.45ms
  2059 requests in 1.00s, 739.95KB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 2059
Requests/sec:   2056.92
Transfer/sec:    739.20KB
"""


def test_parse_wrk_reads_rate_and_percentiles_in_any_unit():
    result = badge_bench.parse_wrk(WRK_OK)
    assert result["rps"] == 1953.05
    assert result["requests"] == 2153
    assert result["p50_ms"] == pytest.approx(0.96)
    assert result["p75_ms"] == pytest.approx(1.06)
    assert result["p99_ms"] == pytest.approx(1200.0)
    assert result["non_2xx_3xx"] == 0


def test_parse_wrk_reads_errors_and_check_run_refuses_them():
    result = badge_bench.parse_wrk(WRK_ERRORS)
    assert result["non_2xx_3xx"] == 2059
    assert result["socket_errors"] == {"connect": 0, "read": 3, "write": 0, "timeout": 7}
    with pytest.raises(badge_bench.BenchError, match="2059 responses"):
        badge_bench.check_run("badge", result)
    result["non_2xx_3xx"] = 0
    with pytest.raises(badge_bench.BenchError, match="socket errors"):
        badge_bench.check_run("badge", result)


def test_parse_wrk_refuses_output_without_a_rate():
    with pytest.raises(badge_bench.BenchError, match="cannot read wrk output"):
        badge_bench.parse_wrk("unable to connect to 127.0.0.1:9 Connection refused\n")


def run(rps, p99_ms, cpu_us):
    return {"rps": rps, "p99_ms": p99_ms, "server_cpu_us_per_request": cpu_us}


def test_summary_ratio_pairs_rounds():
    runs = {
        "badge": [run(900.0, 10.0, 110.0), run(800.0, 30.0, 120.0), run(950.0, 12.0, 100.0)],
        "bare": [run(1000.0, 8.0, 90.0), run(1000.0, 9.0, 88.0), run(1000.0, 7.0, 99.0)],
    }
    summary = badge_bench.summarize({"runs": runs})
    assert summary["ratios"] == pytest.approx([0.9, 0.8, 0.95])
    assert summary["ratio_median"] == pytest.approx(0.9)
    assert summary["ratio_target_met"] is True
    assert summary["badge_p99_ms_median"] == 12.0
    assert summary["badge_p99_ms_max"] == 30.0
    assert summary["cpu_ratio"] == pytest.approx(90.0 / 110.0)


def test_bare_app_answers_with_the_given_bytes_and_headers(tmp_path, monkeypatch):
    body = '<svg xmlns="http://www.w3.org/2000/svg"><title>نماد</title></svg>'.encode()
    headers = [["Content-Type", "image/svg+xml; charset=utf-8"], ["Content-Length", str(len(body))],
               ["ETag", '"abc"'], ["X-Seal-State", "valid"], ["Vary", "Referer"]]
    (tmp_path / "body.svg").write_bytes(body)
    (tmp_path / "headers.json").write_text(json.dumps(headers))
    monkeypatch.setenv("BENCH_BARE_BODY", str(tmp_path / "body.svg"))
    monkeypatch.setenv("BENCH_BARE_HEADERS", str(tmp_path / "headers.json"))
    monkeypatch.delitem(__import__("sys").modules, "bare_app", raising=False)
    import bare_app

    answer = bare_app.app.test_client().get("/badge/abcdefghijkm.svg?code=x")
    assert answer.status_code == 200
    assert answer.data == body
    assert [list(pair) for pair in answer.headers.items()] == headers


@pytest.fixture
def badge_server():
    """A local HTTP server answering every GET with the status and X-Seal-State the test sets."""
    import http.server
    import threading

    answer = {"status": 200, "state": "valid", "body": b"<svg/>"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(answer["status"])
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("X-Seal-State", answer["state"])
            self.send_header("Content-Length", str(len(answer["body"])))
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield answer, f"http://127.0.0.1:{server.server_address[1]}/badge/abcdefghijkm.svg?code=x"
    server.shutdown()
    server.server_close()


def test_check_badge_accepts_a_valid_svg_badge(badge_server):
    answer, url = badge_server
    status, headers, body = badge_bench.check_badge(url, tries=2)
    assert (status, body) == (200, b"<svg/>")


@pytest.mark.parametrize("status, state, body", [
    (200, "foreign", b"<svg/>"),
    (404, "invalid", b"<svg/>"),
    (200, "valid", b"<html>oops</html>"),
])
def test_check_badge_fails_loudly_unless_200_valid_svg(badge_server, status, state, body):
    answer, url = badge_server
    answer.update(status=status, state=state, body=body)
    with pytest.raises(badge_bench.BenchError, match="badge sanity check failed"):
        badge_bench.check_badge(url, tries=1)


def test_positive_counts_only():
    assert badge_bench.parse_args(["--rounds", "5"]).rounds == 5
    with pytest.raises(SystemExit):
        badge_bench.parse_args(["--rounds", "0"])
