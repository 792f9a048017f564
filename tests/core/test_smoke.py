from tests.factories import issue


def test_badge_for_fresh_seal_is_valid_on_its_domain(ctx, client, now):
    seal = issue(now=now)
    code = seal.business and __import__("seal_server.seals.service", fromlist=["x"]).code_for(seal)
    response = client.get(f"/badge/{seal.public_id}.svg?code={code}", headers={"Referer": "https://shop.example/"})
    assert response.headers["X-Seal-State"] == "valid"
