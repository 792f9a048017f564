"""Operator pages for the sandbox backends: the post office's letters."""
from flask import Blueprint, abort, current_app, make_response, render_template
from sqlalchemy import select

from ..accounts.auth import current_account
from ..extensions import db
from ..staff import policy
from ..staff.auth import current_staff
from .models import PostLetter, VoiceCall

bp = Blueprint("integrations", __name__, url_prefix="/operator")


def require_operator():
    """Open in development (SEAL_POST_OFFICE_PAGE); otherwise staff whose role may see operator pages."""
    if current_app.config["SEAL_POST_OFFICE_PAGE"]:
        return
    staff = current_staff()
    if staff is not None and policy.may(staff, "operator.view"):
        return
    account = current_account()
    if account is not None and account.is_staff:  # owners' accounts flagged by hand before the console existed
        return
    abort(404)


@bp.get("/letters")
def letters():
    require_operator()
    rows = db.session.scalars(select(PostLetter).order_by(PostLetter.id.desc()).limit(50)).all()
    response = current_app.make_response(render_template("integrations/letters.html", letters=rows))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/letters/<reference>.pdf")
def letter_pdf(reference):
    require_operator()
    letter = db.session.scalar(select(PostLetter).where(PostLetter.reference == reference))
    if letter is None:
        abort(404)
    response = make_response(letter.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{letter.reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/calls")
def calls():
    require_operator()
    rows = db.session.scalars(select(VoiceCall).order_by(VoiceCall.id.desc()).limit(50)).all()
    response = current_app.make_response(render_template("integrations/calls.html", calls=rows))
    response.headers["Cache-Control"] = "no-store"
    return response
