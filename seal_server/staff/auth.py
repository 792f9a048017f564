"""Who is signed in to the console: the session row behind the cookie, and the policy check on every route."""
import functools

from flask import g, redirect, render_template, request, session, url_for

from .. import clock
from ..accounts.auth import STAFF_TOKEN_KEY, lang_args
from . import policy, service

TOKEN_KEY = STAFF_TOKEN_KEY


def current_session():
    if "staff_session" not in g:
        g.staff_session = service.session_for(session.get(TOKEN_KEY), clock.utcnow())
    return g.staff_session


def current_staff():
    row = current_session()
    return row.staff if row is not None else None


def refused(message, code=403):
    return render_template("error.html", code=code, message=message), code


def staff_required(action):
    """The route needs a live staff session whose roles allow `action` (policy.RULES)."""
    def wrap(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                session.pop(TOKEN_KEY, None)
                return redirect(url_for("staff.sign_in", next=request.path, **lang_args()))
            reason = policy.decide(staff.roles, action, **policy.facts(staff, None))
            if reason:
                return refused(reason)
            return view(*args, **kwargs)
        return wrapped
    return wrap


def console_blueprint(bp):
    """Give a console blueprint the console's template context, no-store answers and refusal page."""
    @bp.context_processor
    def console_context():
        return {"ROLE_TITLES": policy.ROLE_TITLES, "may": lambda action, application=None: (
            current_staff() is not None and policy.may(current_staff(), action, application))}

    @bp.after_request
    def private(response):
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.errorhandler(policy.Refused)
    def on_refused(error):
        return refused(error.message)

    return bp
