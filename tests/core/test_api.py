from datetime import datetime, timedelta

import pytest

from seal_server.seals import service
from tests.factories import issue


def api_url(seal, code=None):
    return f"/api/v1/seals/{seal.public_id}?code={code or service.code_for(seal)}"


def test_seal_json_has_the_contract_fields(ctx, client, now):
    seal = issue(now=now)
    response = client.get(api_url(seal))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert set(data) == {"id", "domain", "name_fa", "name_en", "owner", "kind", "stars", "status", "issued_at",
                         "expires_at", "days_left", "verify_url", "badge_url", "record"}
    assert data["id"] == seal.public_id and data["domain"] == "shop.example"
    assert (data["owner"], data["kind"], data["stars"], data["status"]) == ("مریم احمدی", "standard", 1, "active")
    assert datetime.fromisoformat(data["issued_at"]) == now
    assert data["issued_at"].endswith("+00:00")
    assert data["record"] == {"complaints_total": 0, "complaints_open": 0, "non_responses": 0,
                              "nonconformities_open": 0, "answered_on_time": 0, "answer_rate": None}
    assert data["verify_url"].startswith("http://seal.test/verify/" + seal.public_id + "?code=")
    assert data["badge_url"].startswith("http://seal.test/badge/" + seal.public_id + ".svg?code=")
    assert 0 < data["days_left"] <= 730
    assert "national_code" not in response.get_data(as_text=True)


def test_company_owner_name(ctx, client, now):
    seal = issue(now=now, legal=True)
    assert client.get(api_url(seal)).get_json()["owner"] == "شرکت نمونه"


def test_expired_status_and_days_left(ctx, client, now):
    seal = issue(now=now - timedelta(days=731))
    data = client.get(api_url(seal)).get_json()
    assert (data["status"], data["days_left"]) == ("expired", 0)


@pytest.mark.parametrize("path", ["/api/v1/seals/zzzzzzzzzzzz?code=x", "/api/v1/seals/bad!id",
                                  "/api/v1/seals/%ff?code=%ff"])
def test_unknown_is_json_404(ctx, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "error" in response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_wrong_code_is_404(ctx, client, now):
    seal = issue(now=now)
    assert client.get(api_url(seal, code="nope")).status_code == 404


def test_openapi_document_describes_the_response(ctx, client, now):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/v1/seals/{id}"]["get"]
    assert set(operation["responses"]) == {"200", "400", "404"}
    assert client.get("/api/v1/seals/abcdefghjkmn?code=%00").status_code == 400
    schema = spec["components"]["schemas"]["Seal"]
    seal = issue(now=now)
    data = client.get(api_url(seal)).get_json()
    assert set(schema["required"]) == set(data)
    assert set(schema["properties"]["record"]["required"]) == set(data["record"])


def test_openapi_document_carries_a_live_seal_as_its_example(ctx, client, now):
    bare = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/seals/{id}"]["get"]["parameters"]
    assert all("example" not in parameter for parameter in bare)
    seal = issue(now=now)
    issue("other.example", now=now)
    parameters = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/seals/{id}"]["get"]["parameters"]
    assert [p["example"] for p in parameters] == [seal.public_id, service.code_for(seal)]
    assert client.get(api_url(seal)).status_code == 200


def test_openapi_document_describes_the_providers_answers(ctx, client, now):
    """Every provider operation's answers (and their statuses) are the documented ones."""
    from seal_server.clock import utcnow
    from tests.factories import payment_provider

    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["providerToken"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["providerToken"][
            "description"]}
    schemas, paths = spec["components"]["schemas"], spec["paths"]
    seal = issue("gray.example", now=utcnow(), kind="gray")
    token = payment_provider("mellat", now=now)
    auth = {"Authorization": f"Bearer {token}"}
    examples = client.get("/api/v1/openapi.json").get_json()
    bind_example = examples["components"]["schemas"]["BindRequest"]["example"]
    assert bind_example == {"domain": "gray.example", "seal_id": seal.public_id}

    def documented(path, method, response, schema=None):
        assert str(response.status_code) in paths[path][method]["responses"], (path, method, response.status_code)
        assert all(requirement == {"providerToken": []} for requirement in paths[path][method]["security"])
        if schema:
            assert set(schemas[schema]["required"]) == set(response.json)

    documented("/api/v1/psp/merchants", "post", client.post("/api/v1/psp/merchants", json=bind_example,
                                                             headers=auth), "Binding")
    documented("/api/v1/psp/merchants", "get", client.get("/api/v1/psp/merchants", headers=auth))
    answer = client.get("/api/v1/psp/merchants/gray.example", headers=auth)
    documented("/api/v1/psp/merchants/{domain}", "get", answer, "MerchantStatus")
    volume_schema = schemas["MerchantStatus"]["properties"]["gray_volume"]["oneOf"][1]
    assert set(volume_schema["required"]) == set(answer.json["gray_volume"])
    report = examples["components"]["schemas"]["GrayVolumeReport"]["example"]
    documented("/api/v1/gray-volumes", "post", client.post("/api/v1/gray-volumes", json=report, headers=auth),
               "GrayVolumeTotals")
    for response in (client.post("/api/v1/gray-volumes", json={}, headers=auth),
                     client.get("/api/v1/psp/merchants/other.example", headers=auth),
                     client.get("/api/v1/psp/merchants/gray.example")):
        assert set(response.json) == {"error"}
    documented("/api/v1/psp/merchants/{domain}", "get", client.get("/api/v1/psp/merchants/other.example", headers=auth))
    documented("/api/v1/psp/merchants/{domain}", "delete", client.delete("/api/v1/psp/merchants/gray.example",
                                                                          headers=auth))
