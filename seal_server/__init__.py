"""The seal authority's Flask application."""
import os
import uuid
from pathlib import Path

from flask import Flask, abort, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config as settings
from . import errors, i18n
from .extensions import csrf, db, limiter, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")
MAX_QUERY_STRING = 4096
HSTS = "max-age=31536000; includeSubDomains"

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class BoundedInt(IntegerConverter):
    """<int:...> ids past an INTEGER column's range (32 bits on PostgreSQL) are simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config=None):
    """Build the app from SEAL_* environment variables, then `config` on top (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedInt
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environ(instance_path=app.instance_path))
    if config:
        app.config.update(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from . import audit  # noqa: F401  (registers the model)
    from .accounts import models as _accounts  # noqa: F401
    from .accounts.views import bp as accounts_bp
    from .billing import models as _billing  # noqa: F401
    from .complaints import models as _complaints, register_payments as register_complaint_payments  # noqa: F401
    from .complaints import register_record as register_complaint_record
    from .complaints.views import bp as complaints_bp
    from .integrations import bank_inquiry as _bank_inquiry  # noqa: F401
    from .billing.views import bp as billing_bp
    from .events import models as _events  # noqa: F401
    from .events.views import bp as events_bp
    from .notify import models as _notify  # noqa: F401
    from .notify.views import bp as notify_bp
    from .integrations import models as _integrations  # noqa: F401
    from .integrations.views import bp as integrations_bp
    from .onboarding import models as _onboarding  # noqa: F401
    from .onboarding.views import bp as onboarding_bp
    from .providers import models as _providers  # noqa: F401
    from .providers.views import api as providers_api_bp
    from .providers.views import bp as providers_bp
    from .providers.views import panel as providers_panel_bp
    from .renewals.staff_views import bp as seal_life_staff_bp, held_bp as held_renewals_bp
    from .renewals.views import bp as renewals_bp
    from .changes import models as _changes  # noqa: F401
    from .changes.views import bp as changes_bp, staff_bp as changes_staff_bp
    from .transfers import models as _transfers  # noqa: F401
    from .transfers.views import bp as transfers_bp
    from .upgrades.views import bp as upgrades_bp
    from .conformity import models as _conformity  # noqa: F401
    from .copies import counter as copy_counter
    from .copies import models as _copies  # noqa: F401
    from .copies.views import bp as copies_bp
    from .conformity.views import bp as conformity_bp
    from .demo import bp as demo_bp
    from .health import bp as health_bp
    from .seals import cache
    from .seals.badge_wsgi import BadgeMiddleware
    from .seals.public_wsgi import PublicAnswerMiddleware
    from .seals.views import bp as seals_bp
    from .staff import models as _staff  # noqa: F401
    from .staff.views import bp as staff_bp
    from .widget import bp as widget_bp

    cache.init_app(app)
    copy_counter.init_app(app)
    app.wsgi_app = BadgeMiddleware(app, PublicAnswerMiddleware(app, app.wsgi_app))
    if app.config.get("SEAL_TRUSTED_PROXIES"):
        # outermost, so limits, logs, the badge and the cached public answers all see the visitor's address
        hops = app.config["SEAL_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.register_blueprint(health_bp)
    app.register_blueprint(seals_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(onboarding_bp)
    app.register_blueprint(providers_api_bp)
    app.register_blueprint(providers_bp)
    app.register_blueprint(providers_panel_bp)
    app.register_blueprint(conformity_bp)
    app.register_blueprint(copies_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(integrations_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(complaints_bp)
    register_complaint_record()
    register_complaint_payments()
    app.register_blueprint(renewals_bp)
    app.register_blueprint(seal_life_staff_bp)
    app.register_blueprint(changes_bp)
    app.register_blueprint(changes_staff_bp)
    app.register_blueprint(held_renewals_bp)
    app.register_blueprint(transfers_bp)
    app.register_blueprint(upgrades_bp)
    if app.config["SEAL_DEMO"]:
        app.register_blueprint(demo_bp)

    errors.init_app(app)
    _guard_requests(app)
    if app.config.get("SEAL_GRAY_REPORT_TOKENS"):
        app.logger.warning("SEAL_GRAY_REPORT_TOKENS no longer lets anyone report gray volumes; run "
                           "'seal-server provider import-env' once to register those providers, then unset it")
    return app


def _guard_requests(app):
    @app.before_request
    def request_id():
        # the id that ties audit rows to the request that wrote them (a proxy's id when it sends one)
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex

    @app.before_request
    def refuse_oversized_query():
        if len(request.query_string) > MAX_QUERY_STRING:
            return errors.answer(414)

    @app.before_request
    def refuse_nul_bytes():
        """No text we store or look up holds NUL, and PostgreSQL refuses it with an error: answer 400 first."""
        if _holds_nul(request):
            abort(400)

    production = app.config["SEAL_ENV"] == "production"

    @app.after_request
    def page_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if production and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response



def _holds_nul(req):
    if "\x00" in req.path:
        return True
    fields = [req.args]
    if req.method == "POST" and req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields.append(req.form)
    return any("\x00" in key or "\x00" in value for field in fields for key, value in field.items(multi=True))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys and let readers work while one writer commits."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
