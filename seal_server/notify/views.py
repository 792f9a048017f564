"""The outbox page: what the offline SMS and email backends 'sent', for development and demos."""
from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from ..extensions import db
from ..staff import policy
from ..staff.auth import current_staff
from .models import OutboxMessage

bp = Blueprint("notify", __name__)


@bp.get("/outbox")
def outbox():
    staff = current_staff()
    if not (current_app.config["SEAL_OUTBOX_PAGE"] or (staff is not None and policy.may(staff, "operator.view"))):
        abort(404)
    # Only what the offline backends kept: messages really sent never show here.
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.backend == "outbox")
        .order_by(OutboxMessage.id.desc()).limit(50)).all()
    response = current_app.make_response(render_template("notify/outbox.html", messages=messages))
    response.headers["Cache-Control"] = "no-store"
    return response
