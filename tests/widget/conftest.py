"""Fixtures for the widget: a shop web server on its own port and seals in every state."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from seal_server.extensions import db
from seal_server.seals import service
from seal_server.widget import widget_script
from tests.factories import make_business

SHOP_HOST = "127.0.0.1"

# Recorded from the first moment of every page: layout shifts, CSP violations, global names.
WATCH = """
window.__shift = 0; window.__csp = []; window.__globals = null;
window.__globals = Object.getOwnPropertyNames(window);
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: 'layout-shift', buffered: true});
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class ShopServer:
    """A shop's own site: serves registered pages (with optional CSP) on a port of its own."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                page = pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                body, headers = page
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((SHOP_HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{SHOP_HOST}:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, path, body, headers=None):
        """Serve `body` (an HTML fragment, wrapped in a page) at `path`; returns its URL."""
        html = ('<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>shop</title>'
                f'</head><body><h1>فروشگاه</h1>{body}</body></html>')
        self.pages[path] = (html.encode("utf-8"), headers or {})
        return self.url + path

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def shop():
    server = ShopServer().start()
    yield server
    server.stop()


@pytest.fixture
def seal_for(ctx, live_server, now):
    """Issue a seal in a given state; the live server is running so URLs point at it."""

    def make(state="active", domain=SHOP_HOST, stars=None, **fields):
        seal = service.issue_seal(make_business(domain, **fields), now=now, actor="test", stars=stars)
        if state != "active":
            action = {"suspended": "suspend", "revoked": "revoke", "expired": "expire"}[state]
            service.change_status(seal.public_id, action, now=now, actor="test", reason="test")
        db.session.refresh(seal)
        return seal

    return make


@pytest.fixture
def widget_src(live_server):
    return live_server.url + "/widget.js"


@pytest.fixture
def versioned_widget_src(ctx, live_server):
    return f"{live_server.url}/widget/{widget_script()[1]}.js"


@pytest.fixture
def watched(page):
    """A page that records from its first moment, keeps the badge states it was sent, and fails
    the test on any uncaught script error."""
    page.set_default_timeout(8000)
    page.add_init_script(WATCH)
    page.badge_states = []
    errors = []

    def on_response(response):
        if "/badge/" in response.url:
            page.badge_states.append(response.headers.get("x-seal-state"))

    page.on("response", on_response)
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    assert not errors
