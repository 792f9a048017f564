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

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Trust seal authority API",
        "version": "1.0.0",
        "description": "Public, read-only status of issued trust seals. CORS-readable from any origin.",
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
    },
    "components": {
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
        }
    },
}


def document(example=None):
    """The description; `example` = (id, code) of a live seal makes "try it" (and API fuzzers) reach a 200."""
    doc = copy.deepcopy(OPENAPI)
    if example:
        id_param, code_param = doc["paths"]["/api/v1/seals/{id}"]["get"]["parameters"]
        id_param["example"], code_param["example"] = example
    return doc
