"""Who is signed in: the session holds only the account id and when it signed in."""
import functools

from flask import g, redirect, request, session, url_for

from ..extensions import db
from .models import Account


def login_user(account, now):
    """Start a fresh session for `account` (a new session, so a planted one is never reused)."""
    session.clear()
    session.permanent = True
    session["account_id"] = account.id
    session["signed_in_at"] = now.isoformat()


def logout_user():
    session.clear()


def current_account():
    if "account" not in g:
        account_id = session.get("account_id")
        g.account = db.session.get(Account, account_id) if isinstance(account_id, int) else None
    return g.account


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
