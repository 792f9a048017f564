"""Offline, the demo's owner sites (/demo/sites) carry the file, meta-tag and title proofs to the real checker."""
import pytest

from seal_server.config import ConfigError, from_environ
from seal_server.onboarding import domain, proof
from seal_server.onboarding.fetcher import parse_host_table, table_resolver
from tests.accounts.conftest import csrf_from

from .servers import free_port
from .test_domain_proof import DOMAIN, _failure, _passes, application  # noqa: F401  (a fixture)


@pytest.fixture
def app_config(tmp_path):
    # what scripts/run-demo sets from the environment; the ports follow the live server below
    return {"SEAL_DEMO": True, "SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_FETCH_HOSTS": parse_host_table("*=127.0.0.1"),
            "SEAL_DEMO_SITES_DIR": str(tmp_path / "demo-sites")}


@pytest.fixture
def demo_site(app, live_server, client):
    app.config.update(SEAL_FETCH_HTTP_PORT=live_server.port, SEAL_FETCH_HTTPS_PORT=free_port())

    def publish(home="<html><head><title>Shop</title></head></html>", file_path="", file_body="", lang=""):
        token = csrf_from(client.get("/demo/sites" + lang))
        return client.post("/demo/sites" + lang, data={"csrf_token": token, "domain": DOMAIN, "home": home,
                                                       "file_path": file_path, "file_body": file_body})
    return publish


def test_meta_and_title_proofs_are_read_from_the_demo_site(application, demo_site, now):
    meta = domain.start(application, proof.META, None, now)
    assert demo_site().status_code == 302
    assert _failure(application, meta, now) == "The home page's head has no seal-verification meta tag."
    title = domain.start(application, proof.TITLE, None, now)
    assert _failure(application, title, now) == "The home page title does not contain the code."
    demo_site(f'<html><head><title>Shop {title.token}</title>'
              f'<meta name="seal-verification" content="{meta.token}"></head></html>')
    _passes(application, meta, now)


def test_the_file_proof_is_read_from_the_demo_site(application, demo_site, now, client):
    challenge = domain.start(application, proof.FILE, None, now)
    path = proof.file_paths(challenge.token)[0]
    demo_site(file_path=path, file_body="something else")
    assert _failure(application, challenge, now) == "The file was found but it does not hold the code."
    demo_site(file_path=path, file_body=challenge.token + "\n")
    _passes(application, challenge, now)
    # the owner sees the site again, filled in, when opening it by its domain
    page = client.get(f"/demo/sites?domain={DOMAIN}").get_data(as_text=True)
    assert path in page and challenge.token in page


def test_the_demo_site_form_comes_back_filled_with_a_clear_message(demo_site, client):
    response = demo_site(file_path="../../etc/passwd", lang="?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write a path such as" in page and "../../etc/passwd" in page
    token = csrf_from(client.get("/demo/sites"))
    response = client.post("/demo/sites", data={"csrf_token": token, "domain": "localhost", "home": "<p>kept</p>"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "&lt;p&gt;kept&lt;/p&gt;" in page


def test_the_demo_site_answers_only_its_own_host(app, demo_site, live_server, client):
    demo_site(home="<title>Mine</title>")
    import urllib.request

    request = urllib.request.Request(f"{live_server.url}/", headers={"Host": f"{DOMAIN}:{live_server.port}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.read().decode() == "<title>Mine</title>"
        assert "sandbox" in answer.headers["Content-Security-Policy"]  # a pasted page runs no script
    assert "<title>Mine</title>" not in client.get("/").get_data(as_text=True)  # the authority's own home


def test_the_host_table_answers_before_dns():
    table = parse_host_table("shop.example=127.0.0.1, *.test=::1,*=127.0.0.2")
    resolve = table_resolver(table, fallback=lambda host: ["192.0.2.1"])
    assert resolve("Shop.Example.") == ["127.0.0.1"]
    assert resolve("a.b.test") == ["::1"]
    assert resolve("elsewhere.ir") == ["127.0.0.2"]
    assert table_resolver(table[:1], fallback=lambda host: ["192.0.2.1"])("other.ir") == ["192.0.2.1"]


@pytest.mark.parametrize("value", ["shop.example", "shop.example=", "=127.0.0.1", "shop.example=not-an-ip"])
def test_a_malformed_host_table_stops_the_start(value):
    with pytest.raises(ConfigError, match="SEAL_FETCH_HOSTS"):
        from_environ({"SEAL_FETCH_HOSTS": value})


def test_fetch_ports_come_from_the_environment():
    config = from_environ({"SEAL_FETCH_HTTP_PORT": "5000", "SEAL_FETCH_HTTPS_PORT": "5443"})
    assert (config["SEAL_FETCH_HTTP_PORT"], config["SEAL_FETCH_HTTPS_PORT"]) == (5000, 5443)
    assert from_environ({})["SEAL_FETCH_HOSTS"] == ()
