"""The baseline: a bare Flask route answering with the badge's exact bytes and headers.

The benchmark fetches one badge from the real app, saves its body and headers,
and points BENCH_BARE_BODY / BENCH_BARE_HEADERS at them; this app then serves
them unchanged on the same path, so the only difference the benchmark sees is
the work the real badge route does.
"""
import json
import os
from pathlib import Path

from flask import Flask, Response

BODY = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
HEADERS = json.loads(Path(os.environ["BENCH_BARE_HEADERS"]).read_text())

app = Flask(__name__)


@app.get("/badge/<public_id>.svg")
def badge(public_id):
    response = Response(BODY)
    response.headers.clear()
    response.headers.extend(HEADERS)
    return response


@app.get("/<path:path>")
def any_route(path):
    """The same bytes on any other path: the baseline of the verification page, the API and the registry."""
    return badge(path)
