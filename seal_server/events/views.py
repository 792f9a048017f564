"""The owner's notification settings for a seal (webhooks, reminders) and the operators' outbox page."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from ..accounts.auth import current_account, lang_args, login_required
from ..clock import utcnow
from ..extensions import db, limiter
from ..responses import private
from ..seals.models import Seal
from . import admin, reminders, webhooks
from .actors import Actor
from .models import Delivery, WebhookEndpoint

bp = Blueprint("events", __name__)


def _owned_seal(public_id):
    """The seal when the signed-in account owns it; 404 otherwise (never tell whose it is)."""
    account = current_account()
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None or seal.business.owner.account_id != account.id:
        abort(404)
    return seal


def _endpoint(seal, endpoint_id):
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.seal_id != seal.id:
        abort(404)
    return endpoint


def _page(seal, *, secret=None, errors=None, form=None, status=200):
    endpoints = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.seal_id == seal.id)
                                   .order_by(WebhookEndpoint.id)).all()
    logs = {endpoint.id: db.session.scalars(select(Delivery).where(Delivery.endpoint_id == endpoint.id)
                                            .order_by(Delivery.id.desc()).limit(10)).all() for endpoint in endpoints}
    html = render_template("events/notifications.html", seal=seal, endpoints=endpoints, logs=logs, secret=secret,
                           errors=errors or {}, form=form or {}, kinds=webhooks.subscribable_kinds())
    return private(html, status)


@bp.get("/panel/seals/<public_id>/notifications")
@login_required
def notifications(public_id):
    return _page(_owned_seal(public_id))


@bp.post("/panel/seals/<public_id>/webhooks")
@login_required
@limiter.limit("20 per hour")
def add_webhook(public_id):
    seal = _owned_seal(public_id)
    kinds = request.form.getlist("events")
    try:
        endpoint, secret = webhooks.add_endpoint(seal, request.form.get("url", ""), kinds, now=utcnow(),
                                                 actor=Actor.owner(current_account().id))
    except webhooks.WebhookError as error:
        db.session.rollback()
        return _page(seal, errors={"url": (error.message, error.variables)},
                     form={"url": request.form.get("url", ""), "events": kinds}, status=400)
    db.session.commit()
    return _page(seal, secret=(endpoint.id, secret))


@bp.post("/panel/seals/<public_id>/webhooks/<int:endpoint_id>/<action>")
@login_required
@limiter.limit("60 per hour")
def webhook_action(public_id, endpoint_id, action):
    seal = _owned_seal(public_id)
    endpoint = _endpoint(seal, endpoint_id)
    now, actor = utcnow(), Actor.owner(current_account().id)
    secret = None
    if action == "rotate":
        secret = (endpoint.id, webhooks.rotate_secret(endpoint, now=now, actor=actor))
    elif action == "test":
        if not endpoint.active:
            abort(409)
        webhooks.send_test(endpoint, now=now, actor=actor)
    elif action in ("enable", "disable"):
        webhooks.set_active(endpoint, action == "enable", now=now, actor=actor,
                            reason=None if action == "enable" else "disabled by the owner")
    else:
        abort(404)
    db.session.commit()
    if secret:
        return _page(seal, secret=secret)
    return redirect(url_for("events.notifications", public_id=seal.public_id, **lang_args()))


@bp.post("/panel/seals/<public_id>/reminders")
@login_required
def set_reminders(public_id):
    seal = _owned_seal(public_id)
    reminders.set_muted(seal, request.form.get("muted") == "1", now=utcnow(), actor=Actor.owner(current_account().id))
    return redirect(url_for("events.notifications", public_id=seal.public_id, **lang_args()))


def _operator_actor():
    """Who is looking: staff with a console role for operator pages, or the development switch (404 otherwise)."""
    from ..integrations.views import require_operator
    from ..staff.auth import current_staff

    require_operator()
    staff = current_staff()
    return Actor.staff(staff.id) if staff is not None else Actor.system("operator-page")


@bp.get("/operator/deliveries")
def deliveries():
    _operator_actor()
    view = request.args.get("view", "pending")
    if view not in admin.VIEWS:
        view = "pending"
    return private(render_template("events/deliveries.html", view=view, views=tuple(admin.VIEWS),
                                   counts=admin.counts(), deliveries=admin.listing(view)))


@bp.post("/operator/deliveries/<int:delivery_id>/retry")
def retry_delivery(delivery_id):
    try:
        admin.retry(delivery_id, now=utcnow(), actor=_operator_actor())
    except admin.NotRetryable:
        abort(409)
    return redirect(url_for("events.deliveries", view="pending", **lang_args()))
