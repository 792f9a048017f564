"""Badge, verification page and API read the `code` parameter the same way: exactly one, or none valid."""
import pytest

from seal_server.seals import service
from tests.factories import issue


@pytest.fixture
def seal_and_code(ctx, now):
    seal = issue(now=now)
    return seal.public_id, service.code_for(seal)


@pytest.mark.parametrize("order", ["x_then_valid", "valid_then_x", "valid_twice"])
def test_a_repeated_code_is_refused_by_all_three(client, seal_and_code, order):
    public_id, code = seal_and_code
    pair = {"x_then_valid": ("x", code), "valid_then_x": (code, "x"), "valid_twice": (code, code)}[order]
    query = f"code={pair[0]}&code={pair[1]}"
    badge = client.get(f"/badge/{public_id}.svg?{query}", headers={"Referer": "https://shop.example/"})
    assert badge.headers["X-Seal-State"] == "invalid"
    assert client.get(f"/verify/{public_id}?{query}").status_code == 404
    assert client.get(f"/api/v1/seals/{public_id}?{query}").status_code == 404


def test_one_code_is_read_by_all_three(client, seal_and_code):
    public_id, code = seal_and_code
    badge = client.get(f"/badge/{public_id}.svg?code={code}", headers={"Referer": "https://shop.example/"})
    assert badge.headers["X-Seal-State"] == "valid"
    assert client.get(f"/verify/{public_id}?code={code}").status_code == 200
    assert client.get(f"/api/v1/seals/{public_id}?code={code}").status_code == 200
