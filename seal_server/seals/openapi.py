"""The OpenAPI 3.1 description of the public seal API."""
import copy

_RECORD = {
    "type": "object",
    "required": ["complaints_total", "complaints_open", "non_responses", "nonconformities_open"],
    "properties": {
        "complaints_total": {"type": "integer", "minimum": 0},
        "complaints_open": {"type": "integer", "minimum": 0},
        "non_responses": {"type": "integer", "minimum": 0},
        "nonconformities_open": {"type": "integer", "minimum": 0},
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
                "parameters": [
                    {"name": "id", "in": "path", "required": True,
                     "schema": {"type": "string", "pattern": "^[a-z2-9]{12}$"},
                     "description": "The seal's public id."},
                    {"name": "code", "in": "query", "required": True, "schema": {"type": "string"},
                     "description": "The seal code from the shop's snippet."},
                ],
                "responses": {
                    "200": {"description": "The seal",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Seal"}}}},
                    "400": {"description": "A request that cannot be read, such as one with a NUL byte",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "404": {"description": "Unknown id or a code that does not belong to it",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
        }
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
