"""The script as the seal server sends it: size budget, caching, and what it must never contain."""
import gzip
import re

import pytest

from seal_server.widget import WIDGET_FILE, served_source, widget_script

BUDGET = 2048  # bytes, gzipped


def test_served_script_fits_the_size_budget(ctx):
    body, _ = widget_script()
    assert len(gzip.compress(body, compresslevel=9)) <= BUDGET


def test_latest_url_is_short_lived_and_versioned_url_is_immutable(client, ctx):
    body, version = widget_script()
    latest = client.get("/widget.js")
    assert latest.status_code == 200 and latest.data == body
    assert latest.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "max-age=300" in latest.headers["Cache-Control"]
    assert latest.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in latest.headers
    versioned = client.get(f"/widget/{version}.js")
    assert versioned.status_code == 200 and versioned.data == body
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/widget.js", headers={"If-None-Match": f'"{version}"'}).status_code == 304


@pytest.mark.parametrize("version", ["000000000000", "latest", "..%2fwidget", "x" * 200])
def test_unknown_versions_are_404(client, version):
    assert client.get(f"/widget/{version}.js").status_code == 404


def test_version_follows_the_content(app, tmp_path):
    first, second = tmp_path / "a.js", tmp_path / "b.js"
    first.write_text("(() => {\n  'use strict';\n})();\n", encoding="utf-8")
    second.write_text("(() => {\n  'use strict';\n  void 0;\n})();\n", encoding="utf-8")
    versions = []
    for path in (first, second):
        app.config["SEAL_WIDGET_FILE"] = str(path)
        with app.app_context():
            versions.append(widget_script()[1])
    assert versions[0] != versions[1]


def test_serving_drops_indentation_and_comment_lines_only():
    source = "// why\n(() => {\n  'use strict';\n  // more why\n  const a = 'x // y';\n\n})();\n"
    assert served_source(source) == "(() => {\n'use strict';\nconst a = 'x // y';\n})();\n"


def test_no_template_literal_spans_lines():
    """The line-based stripping is only safe while no template literal runs over a line end."""
    lines = WIDGET_FILE.read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.count("`") % 2]


def test_source_builds_dom_safely_and_keeps_no_state():
    source = WIDGET_FILE.read_text(encoding="utf-8")
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                   "cookie", "localStorage", "sessionStorage", "indexedDB", "window."):
        assert banned not in source, banned
    assert re.search(r"credentials: 'omit'", source)
    assert source.count("(() => {") == 1 and source.rstrip().endswith("})();")
