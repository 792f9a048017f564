"""Public routes: the badge, the verification page, the JSON API and the registry."""
from flask import Blueprint, abort, current_app, jsonify, render_template, request

from .. import signing
from ..clock import utcnow
from ..iran.digits import parse_int
from . import rules, service
from .openapi import OPENAPI
from .public import seal_json  # noqa: F401  (kept importable from here)
from .record import record_for

bp = Blueprint("seals", __name__)

def _checked_seal(public_id):
    """The seal when `code` in the query string belongs to it, else None."""
    try:
        seal = service.get_seal(public_id)
    except service.SealNotFound:
        return None
    code = request.args.get("code", "")
    if not signing.verify_seal_code(code, seal.public_id, seal.domain, seal.serial):
        return None
    return seal


def _came_from(seal):
    """The foreign host the visitor came from, when it is not the seal's domain nor ours."""
    host = rules.referer_host(request.headers.get("Referer"))
    own = rules.referer_host(current_app.config["SEAL_BASE_URL"])
    if host is None or host == own or rules.host_matches(host, seal.domain):
        return None
    return host


@bp.get("/verify/<public_id>")
def verify(public_id):
    seal = _checked_seal(public_id)
    if seal is None:
        referer = request.headers.get("Referer")
        return render_template("seals/invalid.html", came_from=rules.referer_host(referer)), 404
    now = utcnow()
    return render_template(
        "seals/verify.html",
        seal=seal,
        business=seal.business,
        status=rules.effective_status(seal.status, seal.expires_at, now),
        days_left=rules.days_left(seal.expires_at, now),
        record=record_for(seal),
        came_from=_came_from(seal),
        licences=_public_licences(seal.business, now),
        nonconformities=_open_nonconformities(seal),
    )


def _open_nonconformities(seal):
    from ..conformity.service import nonconformities_of

    return nonconformities_of(seal, open_only=True)


def _public_licences(business, now):
    from ..conformity.service import public_licences

    return public_licences(business, now)


@bp.get("/report/<public_id>")
def report(public_id):
    """Where the verification page's complaint and violation buttons lead."""
    seal = _checked_seal(public_id)
    if seal is None:
        abort(404)
    kind = "violation" if request.args.get("kind") == "violation" else "complaint"
    return render_template("seals/report.html", seal=seal, kind=kind)


STATUS_FIELDS = ("id", "domain", "status", "kind", "stars", "expires_at", "record")


def status_claims(seal, now, validity):
    """The signed status's payload: the API's status fields, issued at `now`, valid `validity` seconds."""
    public = seal_json(seal, now)
    issued = int(now.timestamp())
    return {**{field: public[field] for field in STATUS_FIELDS}, "iat": issued, "exp": issued + validity}


def _api(payload, status=200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=30" if status == 200 else "no-store"
    return response


@bp.get("/api/v1/seals/<public_id>")
def api_seal(public_id):
    seal = _checked_seal(public_id)
    if seal is None:
        return _api({"error": "unknown seal id or wrong code"}, 404)
    return _api(seal_json(seal, utcnow()))


@bp.get("/api/v1/seals/<public_id>/status.jws")
def api_seal_status(public_id):
    """The seal's status as a compact JWS anyone can check offline against /.well-known/seal-keys.json."""
    seal = _checked_seal(public_id)
    if seal is None:
        return _api({"error": "unknown seal id or wrong code"}, 404)
    claims = status_claims(seal, utcnow(), current_app.config["SEAL_STATUS_VALIDITY"])
    response = current_app.response_class(signing.sign_status(claims), mimetype="application/jose")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@bp.get("/.well-known/seal-keys.json")
def status_keys():
    """Every status-signing public key (JWKS); verifiers refetch it when they meet an unknown kid."""
    response = _api(signing.status_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/api/v1/openapi.json")
def openapi():
    return _api(OPENAPI)


@bp.get("/registry")
def registry():
    query = request.args.get("q", "")[:100]
    page = parse_int(request.args.get("page")) or 1
    results = service.search_active(query, max(page, 1), now=utcnow())
    links = {seal.public_id: service.urls_for(seal)["verify_url"] for seal in results.items}
    return render_template("seals/registry.html", query=query, results=results, links=links)


@bp.get("/")
def home():
    return render_template("home.html")

