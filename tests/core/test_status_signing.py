"""The signed seal status: Ed25519 keys, the JWKS and the compact JWS anyone can verify offline."""
import base64
import json
import os
import stat
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from seal_server import signing
from seal_server.cli import main
from seal_server.config import ConfigError, from_environ
from seal_server.extensions import db
from seal_server.seals import service
from tests.conftest import TEST_STATUS_KEYS
from tests.factories import issue

# Ed25519 signatures are deterministic: this token must verify, and be reproduced, forever.
GOLDEN_SEED = "Z29sZGVuLXN0YXR1cy1zZWVkLTIwMjYtYWFhYWFhYWE"
GOLDEN_KID = "O8slB_I8flB0SG_M6W-o4A8moIFsjvmOEqgmiDOd2KE"
GOLDEN_X = "haDLgpeRwbAAc190Ac7di3hrFgLnBhqvtFGqNROG2yE"
GOLDEN_CLAIMS = {"id": "k7mq2xw9rtbn", "domain": "golden.example", "status": "active", "kind": "standard",
                 "stars": 2, "expires_at": "2027-01-01T00:00:00+00:00",
                 "record": {"complaints_total": 0, "complaints_open": 0, "non_responses": 0,
                            "nonconformities_open": 0},
                 "iat": 1790000000, "exp": 1790086400}
GOLDEN_TOKEN = (
    "eyJhbGciOiJFZERTQSIsImtpZCI6Ik84c2xCX0k4ZmxCMFNHX002Vy1vNEE4bW9JRnNqdm1PRXFnbWlET2QyS0UifQ"
    ".eyJkb21haW4iOiJnb2xkZW4uZXhhbXBsZSIsImV4cCI6MTc5MDA4NjQwMCwiZXhwaXJlc19hdCI6IjIwMjctMDEtMDFUMDA6MDA6MDAr"
    "MDA6MDAiLCJpYXQiOjE3OTAwMDAwMDAsImlkIjoiazdtcTJ4dzlydGJuIiwia2luZCI6InN0YW5kYXJkIiwicmVjb3JkIjp7ImNvbXBs"
    "YWludHNfb3BlbiI6MCwiY29tcGxhaW50c190b3RhbCI6MCwibm9uX3Jlc3BvbnNlcyI6MCwibm9uY29uZm9ybWl0aWVzX29wZW4iOjB9"
    "LCJzdGFycyI6Miwic3RhdHVzIjoiYWN0aXZlIn0"
    ".PSHLu77x8hFGEKeHtv2TxHLYXWtr-mccWnR9KUSr0DQG59bMkbZyVvg6fD7nlIiEwS8IRV5Nv-_wWU1jsEFvDg"
)


def b64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_verify(token, jwks):
    """Check a compact JWS with nothing but `cryptography`, as a shop's or PSP's script would."""
    header, payload, signature = token.split(".")
    protected = json.loads(b64(header))
    assert protected["alg"] == "EdDSA"
    key = next(k for k in jwks["keys"] if k["kid"] == protected["kid"])
    assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    Ed25519PublicKey.from_public_bytes(b64(key["x"])).verify(b64(signature), f"{header}.{payload}".encode())
    return protected, json.loads(b64(payload))


def test_golden_token_is_reproduced_and_verifies():
    assert signing.sign_status(GOLDEN_CLAIMS, [GOLDEN_SEED]) == GOLDEN_TOKEN
    jwks = signing.status_jwks([GOLDEN_SEED])
    assert jwks == {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": GOLDEN_X, "kid": GOLDEN_KID,
                              "alg": "EdDSA", "use": "sig"}]}
    assert signing.verify_status(GOLDEN_TOKEN, jwks) == GOLDEN_CLAIMS
    assert independent_verify(GOLDEN_TOKEN, jwks) == ({"alg": "EdDSA", "kid": GOLDEN_KID}, GOLDEN_CLAIMS)


def test_a_changed_payload_or_another_key_fails():
    header, payload, signature = GOLDEN_TOKEN.split(".")
    forged = json.dumps({**GOLDEN_CLAIMS, "status": "active", "stars": 5}).encode()
    tampered = ".".join([header, base64.urlsafe_b64encode(forged).rstrip(b"=").decode(), signature])
    jwks = signing.status_jwks([GOLDEN_SEED])
    with pytest.raises(ValueError):
        signing.verify_status(tampered, jwks)
    with pytest.raises(InvalidSignature):
        independent_verify(tampered, jwks)
    with pytest.raises(ValueError, match="kid"):
        signing.verify_status(GOLDEN_TOKEN, signing.status_jwks(TEST_STATUS_KEYS))
    for garbage in ["", "a.b", "a.b.c", "x" * 10000]:
        with pytest.raises(ValueError):
            signing.verify_status(garbage, jwks)


def test_rotation_newest_signs_every_listed_key_verifies():
    rotated = [GOLDEN_SEED, *TEST_STATUS_KEYS]
    jwks = signing.status_jwks(rotated)
    assert [k["kid"] for k in jwks["keys"]][-1] == GOLDEN_KID, "every listed key is published"
    assert len(jwks["keys"]) == 3 and all("d" not in k for k in jwks["keys"]), "public halves only"
    token = signing.sign_status(GOLDEN_CLAIMS, rotated)
    protected, _ = independent_verify(token, jwks)
    assert protected["kid"] == jwks["keys"][0]["kid"] != GOLDEN_KID, "the newest key signs"
    assert signing.verify_status(GOLDEN_TOKEN, jwks) == GOLDEN_CLAIMS, "tokens of an older key still verify"


@pytest.mark.parametrize("seed", ["", "short", "!" * 43, "a" * 44 + "==", "a" * 42])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(signing.StatusKeyError):
        signing.parse_status_seed(seed)
    if seed:
        with pytest.raises(ConfigError, match="SEAL_STATUS_KEYS"):
            from_environ({"SEAL_STATUS_KEYS": f"{TEST_STATUS_KEYS[0]},{seed}"})


def test_keys_new_prints_a_usable_seed(capsys):
    assert main(["keys", "new"]) == 0
    seed = capsys.readouterr().out.strip()
    assert len(signing.parse_status_seed(seed)) == 32
    assert main(["keys", "new"]) == 0
    assert capsys.readouterr().out.strip() != seed
    assert from_environ({"SEAL_STATUS_KEYS": f" {TEST_STATUS_KEYS[0]} , {seed} "})["SEAL_STATUS_KEYS"] == \
        [TEST_STATUS_KEYS[0], seed]


def test_keys_new_works_in_production_before_any_key_exists(capsys, monkeypatch):
    monkeypatch.setenv("SEAL_ENV", "production")
    monkeypatch.delenv("SEAL_SECRET_KEYS", raising=False)
    assert main(["keys", "new"]) == 0
    assert len(signing.parse_status_seed(capsys.readouterr().out.strip())) == 32


def test_production_refuses_to_start_without_status_keys():
    from tests.core.test_config import PRODUCTION

    production = {key: value for key, value in PRODUCTION.items() if key != "SEAL_STATUS_KEYS"}
    with pytest.raises(ConfigError, match="SEAL_STATUS_KEYS is not set"):
        from_environ(production)
    config = from_environ({**production, "SEAL_STATUS_KEYS": TEST_STATUS_KEYS[0]})
    assert config["SEAL_STATUS_KEY_FILE"] is None, "production never makes a key of its own"


@pytest.mark.parametrize("raw, seconds", [(None, 86400), ("3600", 3600), ("72h", 259200), ("90m", 5400)])
def test_status_validity(raw, seconds):
    environ = {} if raw is None else {"SEAL_STATUS_VALIDITY": raw}
    assert from_environ(environ)["SEAL_STATUS_VALIDITY"] == seconds


@pytest.mark.parametrize("raw", ["73h", "259201", "0", "59", "a day", "h"])
def test_status_validity_out_of_range(raw):
    with pytest.raises(ConfigError, match="SEAL_STATUS_VALIDITY"):
        from_environ({"SEAL_STATUS_VALIDITY": raw})


def test_development_makes_one_key_in_the_instance_folder_on_first_use(tmp_path):
    from seal_server import create_app

    app = create_app({"TESTING": True, "SEAL_STATUS_KEYS": [], "SEAL_STATUS_KEY_FILE": str(tmp_path / "k")})
    with app.app_context():
        assert not (tmp_path / "k").exists(), "nothing is written before a status is needed"
        first = signing.status_jwks()
        assert stat.S_IMODE(os.stat(tmp_path / "k").st_mode) == 0o600
        assert signing.status_jwks() == first
    assert from_environ({}, instance_path=str(tmp_path))["SEAL_STATUS_KEY_FILE"] == str(tmp_path / "status-signing.key")
    again = create_app({"TESTING": True, "SEAL_STATUS_KEYS": [], "SEAL_STATUS_KEY_FILE": str(tmp_path / "k")})
    with again.app_context():
        assert signing.status_jwks() == first, "a restart keeps the key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k"], "nothing is left aside"


def test_two_workers_starting_together_share_one_development_key(tmp_path, monkeypatch):
    theirs = signing.new_status_seed()
    real_link = os.link

    def other_worker_first(source, target):
        (tmp_path / "k").write_text(theirs + "\n")  # the other worker links its file in first
        real_link(source, target)

    monkeypatch.setattr(os, "link", other_worker_first)
    assert signing.development_status_seed(str(tmp_path / "k")) == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k"]


def status_url(seal, code=None):
    return f"/api/v1/seals/{seal.public_id}/status.jws?code={code or service.code_for(seal)}"


@pytest.fixture
def app_config():
    return {"SEAL_STATUS_VALIDITY": 7200}


def test_status_jws_route(ctx, client, now):
    seal = issue(now=now - timedelta(days=1))
    seal.stars = 3
    db.session.commit()
    jwks = client.get("/.well-known/seal-keys.json")
    assert jwks.status_code == 200 and jwks.headers["Access-Control-Allow-Origin"] == "*"
    assert jwks.get_json() == signing.status_jwks(TEST_STATUS_KEYS)
    response = client.get(status_url(seal))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jose"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    protected, claims = independent_verify(response.get_data(as_text=True), jwks.get_json())
    assert protected["kid"] == jwks.get_json()["keys"][0]["kid"]
    assert set(claims) == {"id", "domain", "status", "kind", "stars", "expires_at", "record", "iat", "exp"}
    api = client.get(f"/api/v1/seals/{seal.public_id}?code={service.code_for(seal)}").get_json()
    assert {k: claims[k] for k in ("id", "domain", "status", "kind", "stars", "expires_at", "record")} == \
        {k: api[k] for k in ("id", "domain", "status", "kind", "stars", "expires_at", "record")}
    assert (claims["status"], claims["stars"]) == ("active", 3)
    assert claims["exp"] - claims["iat"] == 7200
    assert isinstance(claims["iat"], int)


def test_status_jws_tells_a_suspended_seal(ctx, client, now):
    seal = issue(now=now)
    service.change_status(seal.public_id, "suspend", now=now, actor="cli", reason="test")
    _, claims = independent_verify(client.get(status_url(seal)).get_data(as_text=True),
                                   client.get("/.well-known/seal-keys.json").get_json())
    assert claims["status"] == "suspended"


@pytest.mark.parametrize("path", ["/api/v1/seals/zzzzzzzzzzzz/status.jws?code=x",
                                  "/api/v1/seals/zzzzzzzzzzzz/status.jws", "/api/v1/seals/%ff/status.jws?code=%ff"])
def test_status_jws_unknown_is_the_api_404(ctx, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json() == {"error": "unknown seal id or wrong code"}


def test_status_jws_wrong_code_is_404(ctx, client, now):
    seal = issue(now=now)
    other = issue("other.example", now=now)
    response = client.get(status_url(seal, service.code_for(other)))
    assert response.status_code == 404 and "error" in response.get_json()


def test_openapi_describes_the_signed_status(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "application/jose" in paths["/api/v1/seals/{id}/status.jws"]["get"]["responses"]["200"]["content"]
    assert "/.well-known/seal-keys.json" in paths
