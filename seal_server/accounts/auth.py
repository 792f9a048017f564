"""Who is signed in: the session holds only the account id and when it signed in."""
import functools
from datetime import datetime

from flask import g, redirect, request, session, url_for
from sqlalchemy import update

from ..extensions import db
from .models import Account


# The console's own session token: an owner signing in or out in the same browser leaves it alone
# (the console session lives on the server and ends by its own sign-out or timeouts).
STAFF_TOKEN_KEY = "staff_token"


def _clear_owner_session():
    """Forget everything the owner's side keeps in the cookie, but not a console session beside it."""
    staff_token = session.get(STAFF_TOKEN_KEY)
    session.clear()
    if staff_token is not None:
        session[STAFF_TOKEN_KEY] = staff_token


def login_user(account, now, *, by_code=False):
    """Start a fresh session for `account` (a new session, so a planted one is never reused).

    `by_code`: signed in with a one-time SMS code just now, which setting a password asks for.
    """
    _clear_owner_session()
    session.permanent = True
    session["account_id"] = account.id
    session["generation"] = account.session_generation or 0
    session["signed_in_at"] = now.isoformat()
    if by_code:
        session["code_at"] = now.isoformat()


def end_sessions(account):
    """Every session of `account`, here and on any other device, stops working (cookies cannot be recalled)."""
    db.session.execute(update(Account).where(Account.id == account.id)
                       .values(session_generation=Account.session_generation + 1))
    db.session.commit()
    db.session.refresh(account)


def logout_user():
    account = current_account()
    if account is not None:
        end_sessions(account)
    _clear_owner_session()


def current_account():
    if "account" not in g:
        account_id = session.get("account_id")
        account = db.session.get(Account, account_id) if isinstance(account_id, int) else None
        if account is not None and session.get("generation") != (account.session_generation or 0):
            account = None  # signed out elsewhere, or the password changed
        g.account = account
    return g.account


def code_is_fresh(now, seconds):
    """True when this session signed in with an SMS code within `seconds`."""
    stamp = session.get("code_at")
    try:
        return stamp is not None and (now - datetime.fromisoformat(stamp)).total_seconds() < seconds
    except (TypeError, ValueError):
        return False


def lang_args():
    lang = request.args.get("lang")
    return {"lang": lang} if lang == "en" else {}


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_account() is None:
            return redirect(url_for("accounts.enter", next=request.path, **lang_args()))
        return view(*args, **kwargs)
    return wrapped
