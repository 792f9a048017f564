"""The OpenAPI 3.1 description of the public seal API."""
import copy

_RECORD = {
    "type": "object",
    "required": ["complaints_total", "complaints_open", "non_responses", "nonconformities_open",
                 "answered_on_time", "answer_rate"],
    "properties": {
        "complaints_total": {"type": "integer", "minimum": 0},
        "complaints_open": {"type": "integer", "minimum": 0},
        "non_responses": {"type": "integer", "minimum": 0},
        "nonconformities_open": {"type": "integer", "minimum": 0},
        "answered_on_time": {"type": "integer", "minimum": 0,
                             "description": "complaints answered within their first (72-hour) window"},
        "answer_rate": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                        "description": "percent of complaints due an answer that were answered; null before any"},
    },
}

_SEAL_PARAMETERS = [
    {"name": "id", "in": "path", "required": True,
     "schema": {"type": "string", "pattern": "^[a-z2-9]{12}$"},
     "description": "The seal's public id."},
    {"name": "code", "in": "query", "required": True,
     "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 200},
     "description": "The seal code from the shop's snippet."},
]

_NOT_FOUND = {"description": "Unknown id or a code that does not belong to it",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_BAD_REQUEST = {"description": "A request that cannot be read, such as one with a NUL byte",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_SIGNED_STATUS = {
    "/api/v1/seals/{id}/status.jws": {
        "get": {
            "operationId": "getSignedStatus",
            "summary": "A seal's status, signed: verifiable offline against /.well-known/seal-keys.json",
            "description": "A compact JWS (RFC 7515), protected header `{alg: EdDSA, kid}`, Ed25519 signature "
                           "by the authority's newest status key. Verify the signature with the JWKS key named "
                           "by `kid` (refetch the JWKS once when the kid is unknown), then trust the payload "
                           "only while `exp` is in the future.",
            "parameters": _SEAL_PARAMETERS,
            "responses": {
                "200": {"description": "The signed status",
                        "content": {"application/jose": {
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"},
                            "x-payload-schema": {"$ref": "#/components/schemas/SignedStatus"}}}},
                "400": _BAD_REQUEST,
                "404": _NOT_FOUND,
            },
        }
    },
    "/.well-known/seal-keys.json": {
        "get": {
            "operationId": "getStatusKeys",
            "summary": "Every status-signing public key (JWKS), newest first",
            "responses": {"200": {"description": "The key set", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/KeySet"}}}}},
        }
    },
}

_SIGNED_SCHEMAS = {
    "SignedStatus": {
        "type": "object",
        "required": ["id", "domain", "status", "kind", "stars", "expires_at", "record", "iat", "exp"],
        "properties": {
            "id": {"type": "string"},
            "domain": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "suspended", "revoked", "expired"]},
            "kind": {"type": "string", "enum": ["gray", "standard", "temporary"]},
            "stars": {"type": "integer", "minimum": 0, "maximum": 5},
            "expires_at": {"type": "string", "format": "date-time"},
            "record": _RECORD,
            "iat": {"type": "integer", "description": "Signed at (Unix seconds)."},
            "exp": {"type": "integer", "description": "Trust until (Unix seconds); iat + SEAL_STATUS_VALIDITY."},
        },
    },
    "KeySet": {
        "type": "object",
        "required": ["keys"],
        "properties": {"keys": {"type": "array", "items": {
            "type": "object",
            "required": ["kty", "crv", "x", "kid", "alg", "use"],
            "properties": {"kty": {"const": "OKP"}, "crv": {"const": "Ed25519"}, "x": {"type": "string"},
                           "kid": {"type": "string"}, "alg": {"const": "EdDSA"}, "use": {"const": "sig"}},
        }}},
    },
}

# --- payment providers (bearer token from `seal-server provider add` or the staff console) ---------------------

def _error(description, example):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"},
                                              "example": {"error": example}}}}


_UNAUTHORIZED = _error("No bearer token, or not the live token of an enabled provider. Carries WWW-Authenticate.",
                       "a valid provider token is required (Authorization: Bearer ...)")
_NOT_SERVED = _error("The provider has not bound a merchant with this domain (the same answer whether or not "
                     "the domain has a seal)",
                     "this provider has not bound a merchant with this domain; bind it first: "
                     "POST /api/v1/psp/merchants")
_TOO_MANY = _error("Too many requests with this token (120 a minute; 600 for a merchant's status)",
                   "too many requests; slow down and retry later")
_TOO_LARGE = _error("The body is larger than the server accepts", "the request body is too large")
_PROVIDER = [{"providerToken": []}]
_DOMAIN_PARAMETER = {
    "name": "domain", "in": "path", "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 253},
    "description": "The merchant's domain as its seal names it (case and a leading www. do not matter). "
                   "Anything that is not a domain this provider bound answers 403.",
}
_SEAL_ID = {"type": "string", "pattern": "^[a-z2-9]{12}$",
            "description": "The seal's public id (from the shop's snippet)."}

_PROVIDERS = {
    "/api/v1/gray-volumes": {
        "post": {
            "operationId": "reportGrayVolume",
            "summary": "Report a gray-sealed merchant's sales in one Jalali month (the provider's latest figure)",
            "description": "Only for a merchant this provider bound. The figure replaces the provider's earlier "
                           "one for the month; the answer sums every provider's. Passing 100,000,000 toman "
                           "(1,000,000,000 rials) or 100 transactions tells the owner once a month.",
            "security": _PROVIDER,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/GrayVolumeReport"}}}},
            "responses": {
                "200": {"description": "The month's totals across providers",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrayVolumeTotals"}}}},
                "400": _error("A body that is not the report object, a month that is not Jalali YYYY-MM, or a "
                              "figure that is not a whole number in range",
                              "month must be a Jalali year and month, such as 1405-09"),
                "401": _UNAUTHORIZED,
                "403": _error("The seal exists but this provider has not bound its merchant",
                              "this provider has not bound this merchant; bind it first: POST /api/v1/psp/merchants"),
                "404": _error("No seal with this seal_id", "no seal with this seal_id"),
                "409": _error("The seal is not gray: its volumes have no cap",
                              "this seal is not a gray seal; its volumes have no limit"),
                "413": _TOO_LARGE,
                "429": _TOO_MANY,
            },
        }
    },
    "/api/v1/psp/merchants": {
        "get": {
            "operationId": "listMerchants",
            "summary": "The merchants this provider bound",
            "security": _PROVIDER,
            "responses": {
                "200": {"description": "Every binding, oldest first", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["merchants"], "properties": {
                        "merchants": {"type": "array", "items": {"$ref": "#/components/schemas/Binding"}}}}}}},
                "401": _UNAUTHORIZED,
                "429": _TOO_MANY,
            },
        },
        "post": {
            "operationId": "bindMerchant",
            "summary": "Say this provider serves a merchant (its domain and seal id); idempotent",
            "description": "Refused unless the seal exists and names this domain. The owner is told by email. "
                           "201 for a new binding, 200 when it already existed. An owner may dispute a binding "
                           "(\"this provider does not serve my shop\"); the provider then no longer serves that "
                           "merchant (403 on its status, reports and unbinding, left out of the list, its reports "
                           "no longer counted) and a new bind answers 409 until the authority clears the dispute.",
            "security": _PROVIDER,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/BindRequest"}}}},
            "responses": {
                "200": {"description": "Already bound", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Binding"}}}},
                "201": {"description": "Bound", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Binding"}}}},
                "400": _error("A body that is not an object of two strings {domain, seal_id}",
                              "send a JSON object: {domain, seal_id}"),
                "401": _UNAUTHORIZED,
                "404": _error("No seal with this seal_id", "no seal with this seal_id"),
                "409": _error("The seal names another domain (or the domain is not a domain name), or the shop's "
                              "owner disputed this provider's binding (\"this provider does not serve my shop\"): "
                              "it cannot bind the seal again until the authority clears the dispute",
                              "this seal was issued for another domain; send the domain the seal names"),
                "413": _TOO_LARGE,
                "429": _TOO_MANY,
            },
        },
    },
    "/api/v1/psp/merchants/{domain}": {
        "get": {
            "operationId": "getMerchant",
            "summary": "A bound merchant's seal, and for a gray seal this Tehran month's volume and over_cap",
            "description": "Stop the gateway when `status` is not `active`, or when `gray_volume.over_cap` is "
                           "true (the gray seal's cap: 100,000,000 toman or 100 transactions a month).",
            "security": _PROVIDER,
            "parameters": [_DOMAIN_PARAMETER],
            "responses": {
                "200": {"description": "The merchant's seal", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/MerchantStatus"}}}},
                "401": _UNAUTHORIZED,
                "403": _NOT_SERVED,
                "429": _TOO_MANY,
            },
        },
        "delete": {
            "operationId": "unbindMerchant",
            "summary": "This provider no longer serves the merchant",
            "security": _PROVIDER,
            "parameters": [_DOMAIN_PARAMETER],
            "responses": {
                "204": {"description": "Unbound"},
                "401": _UNAUTHORIZED,
                "403": _NOT_SERVED,
                "429": _TOO_MANY,
            },
        },
    },
}

_PROVIDER_SCHEMAS = {
    "GrayVolumeReport": {
        "type": "object",
        "required": ["seal_id", "month", "amount_rials", "transactions"],
        "properties": {
            "seal_id": _SEAL_ID,
            "month": {"type": "string", "pattern": "^1[34][0-9]{2}-(0[1-9]|1[0-2])$",
                      "description": "Jalali year and month, such as 1405-09."},
            "amount_rials": {"type": "integer", "minimum": 0, "maximum": 10**15},
            "transactions": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        },
    },
    "GrayVolumeTotals": {
        "type": "object",
        "required": ["seal_id", "month", "amount_rials", "transactions", "over_limit"],
        "properties": {
            "seal_id": {"type": "string"},
            "month": {"type": "string"},
            "amount_rials": {"type": "integer", "minimum": 0},
            "transactions": {"type": "integer", "minimum": 0},
            "over_limit": {"type": "boolean"},
        },
    },
    "BindRequest": {
        "type": "object",
        "required": ["domain", "seal_id"],
        "properties": {"domain": {"type": "string", "description": "The merchant's domain, as its seal names it."},
                       "seal_id": _SEAL_ID},
    },
    "Binding": {
        "type": "object",
        "required": ["domain", "seal_id", "bound_at"],
        "properties": {"domain": {"type": "string"}, "seal_id": {"type": "string"},
                       "bound_at": {"type": "string", "format": "date-time"}},
    },
    "MerchantStatus": {
        "type": "object",
        "required": ["domain", "seal_id", "status", "kind", "stars", "expires_at", "gray_volume"],
        "properties": {
            "domain": {"type": "string"},
            "seal_id": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "suspended", "revoked", "expired"]},
            "kind": {"type": "string", "enum": ["gray", "standard", "temporary"]},
            "stars": {"type": "integer", "minimum": 0, "maximum": 5},
            "expires_at": {"type": "string", "format": "date-time"},
            "gray_volume": {
                "oneOf": [{"type": "null"}, {
                    "type": "object",
                    "required": ["month", "amount_rials", "transactions", "limit_amount_rials",
                                 "limit_transactions", "over_cap"],
                    "properties": {
                        "month": {"type": "string", "description": "This Jalali month in Tehran time."},
                        "amount_rials": {"type": "integer", "minimum": 0},
                        "transactions": {"type": "integer", "minimum": 0},
                        "limit_amount_rials": {"type": "integer"},
                        "limit_transactions": {"type": "integer"},
                        "over_cap": {"type": "boolean", "description": "Either limit passed: stop the gateway."},
                    },
                }],
                "description": "null unless the seal is gray.",
            },
        },
    },
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Trust seal authority API",
        "version": "1.0.0",
        "description": "Public, read-only status of issued trust seals (CORS-readable from any origin), and the "
                       "payment providers' API: bearer token of a registered provider.",
        "license": {"name": "GPL-2.0-or-later", "identifier": "GPL-2.0-or-later"},
    },
    "paths": {
        "/api/v1/seals/{id}": {
            "get": {
                "operationId": "getSeal",
                "summary": "A seal's public status",
                "parameters": _SEAL_PARAMETERS,
                "responses": {
                    "200": {"description": "The seal",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Seal"}}}},
                    "400": _BAD_REQUEST,
                    "404": _NOT_FOUND,
                },
            }
        },
        **_SIGNED_STATUS,
        **_PROVIDERS,
    },
    "components": {
        "securitySchemes": {"providerToken": {
            "type": "http", "scheme": "bearer",
            "description": "A registered payment provider's token (shown once at registration or rotation)."}},
        "schemas": {
            "Seal": {
                "type": "object",
                "required": ["id", "domain", "name_fa", "name_en", "owner", "kind", "stars", "status",
                             "issued_at", "expires_at", "days_left", "verify_url", "badge_url", "record"],
                "properties": {
                    "id": {"type": "string"},
                    "domain": {"type": "string"},
                    "name_fa": {"type": "string"},
                    "name_en": {"type": "string"},
                    "owner": {"type": "string", "description": "Person or company name; nothing private."},
                    "kind": {"type": "string", "enum": ["gray", "standard", "temporary"]},
                    "stars": {"type": "integer", "minimum": 0, "maximum": 5},
                    "status": {"type": "string", "enum": ["active", "suspended", "revoked", "expired"]},
                    "issued_at": {"type": "string", "format": "date-time"},
                    "expires_at": {"type": "string", "format": "date-time"},
                    "days_left": {"type": "integer", "minimum": 0},
                    "verify_url": {"type": "string", "format": "uri"},
                    "badge_url": {"type": "string", "format": "uri"},
                    "record": _RECORD,
                },
            },
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            **_SIGNED_SCHEMAS,
            **_PROVIDER_SCHEMAS,
        }
    },
}


def document(example=None, merchant=None):
    """The description; `example` = (id, code) of a live seal makes "try it" (and API fuzzers) reach a 200;
    `merchant` = (domain, id, month) of a live seal gives the providers' operations their examples."""
    doc = copy.deepcopy(OPENAPI)
    if example:
        id_param, code_param = doc["paths"]["/api/v1/seals/{id}"]["get"]["parameters"]
        id_param["example"], code_param["example"] = example
    if merchant:
        domain, public_id, month = merchant
        paths, schemas = doc["paths"], doc["components"]["schemas"]
        paths["/api/v1/psp/merchants/{domain}"]["get"]["parameters"][0]["example"] = domain
        bind = {"domain": domain, "seal_id": public_id}
        report = {"seal_id": public_id, "month": month, "amount_rials": 2_500_000, "transactions": 3}
        for schema, path, example in (("BindRequest", "/api/v1/psp/merchants", bind),
                                      ("GrayVolumeReport", "/api/v1/gray-volumes", report)):
            schemas[schema]["example"] = example
            paths[path]["post"]["requestBody"]["content"]["application/json"]["example"] = example
    return doc
