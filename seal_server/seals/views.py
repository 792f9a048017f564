"""Public routes: the badge, the verification page, the JSON API and the registry."""
from flask import Blueprint, abort, current_app, jsonify, render_template, request

from .. import signing
from ..clock import utcnow
from ..iran.digits import parse_int
from . import cache, public_wsgi, rules, search, service
from .openapi import document as openapi_document
from .public import seal_json  # noqa: F401  (kept importable from here)

bp = Blueprint("seals", __name__)
MAX_PAGE = 100_000

def _checked_seal(public_id):
    """The seal's cached public record when `code` in the query string belongs to it, else None."""
    seal = cache.public_record(public_id) if rules.is_public_id(public_id) else None
    if seal is None:
        return None
    code = rules.seal_code_param(request.args.getlist("code"))
    if not signing.verify_seal_code(code, seal.public_id, seal.domain, seal.serial):
        return None
    return seal


def _conditional(etag, vary=None, cache_control=public_wsgi.CACHE_CONTROL):
    """A 304 when the client already holds this version, else None; sets the caching headers either way."""
    def headers(response):
        response.set_etag(etag)
        response.headers["Cache-Control"] = cache_control
        if vary:
            response.headers["Vary"] = vary
        return response

    if request.if_none_match.contains(etag):
        return headers(current_app.response_class(status=304)), headers
    return None, headers


def _key(route, seal, now):
    return public_wsgi.answer_key(route, seal, request.query_string, request.headers.get("Referer"), now,
                                  current_app.config["SEAL_BASE_URL"], request.scheme)


@bp.get("/verify/<public_id>")
def verify(public_id):
    seal = _checked_seal(public_id)
    if seal is None:
        referer = request.headers.get("Referer")
        return render_template("seals/invalid.html", came_from=rules.referer_host(referer)), 404
    now = utcnow()
    status = rules.effective_status(seal.status, seal.expires_at, now)
    days_left = rules.days_left(seal.expires_at, now)
    came_from = public_wsgi.came_from(seal.domain, request.headers.get("Referer"),
                                      current_app.config["SEAL_BASE_URL"])
    not_modified, finish = _conditional(_key("verify", seal, now), vary="Referer")
    if not_modified is not None:
        return not_modified
    return finish(current_app.make_response(render_template(
        "seals/verify.html",
        seal=seal,
        business=seal.business,
        status=status,
        days_left=days_left,
        record=seal.record,
        came_from=came_from,
        licences=_public_licences(seal.business, now),
        nonconformities=seal.nonconformities,
    )))


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
    now = utcnow()
    not_modified, finish = _conditional(_key("api", seal, now))
    if not_modified is not None:
        not_modified.headers["Access-Control-Allow-Origin"] = "*"
        return not_modified
    return finish(_api(seal_json(seal, now)))


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
    from ..onboarding.gray import month_of

    now = utcnow()
    seal = service.example_seal(now)
    if seal is None:
        return _api(openapi_document())
    return _api(openapi_document((seal.public_id, service.code_for(seal)),
                                 (seal.domain, seal.public_id, month_of(now))))


@bp.get("/registry")
def registry():
    not_modified, finish = _conditional(
        public_wsgi.registry_key(request.query_string, current_app.config["SEAL_BASE_URL"], utcnow(), request.scheme),
        cache_control=public_wsgi.REGISTRY_CACHE_CONTROL)
    if not_modified is not None:
        return not_modified
    query = request.args.get("q", "")[:100]
    after = parse_int(request.args.get("after"))
    results = search.search_registry(query, now=utcnow(), after=after if after and after > 0 else None)
    links = {seal.public_id: service.urls_for(seal)["verify_url"] for seal in results.items}
    return finish(current_app.make_response(render_template(
        "seals/registry.html", query=query, results=results, links=links,
        first_page=after is not None, min_query=search.MIN_QUERY)))


@bp.get("/")
def home():
    return render_template("home.html")

