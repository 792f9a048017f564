"""The contact step's map: Leaflet from the npm install, tiles from the configured server, inputs as fallback."""
import base64

import pytest

from .conftest import new_application
from .test_contact import CONTACT_STEP

TILES = "http://tiles.test/{z}/{x}/{y}.png"
# a 1x1 PNG: enough for Leaflet to count a loaded tile
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture
def app_config():
    return {"SEAL_MAP_TILES_URL": TILES}


def test_the_page_offers_the_map_and_lets_its_tiles_through_the_csp(owner):
    application_id = new_application(owner)
    response = owner.get(f"/panel/applications/{application_id}/contact")
    page = response.get_data(as_text=True)
    assert 'id="location-map"' in page and f'data-tiles="{TILES}"' in page
    assert "/panel/assets/leaflet/leaflet.js" in page and "onboarding-map.js" in page
    assert "img-src 'self' data: http://tiles.test;" in response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name, status", [("leaflet.js", 200), ("leaflet.css", 200), ("images/marker-icon.png", 200),
                                          ("leaflet-src.js.map", 404), ("../package.json", 404),
                                          ("../../package-lock.json", 404)])
def test_only_leaflets_own_files_are_served(client, name, status):
    response = client.get(f"/panel/assets/leaflet/{name}", buffered=True)  # read and close the file now
    assert response.status_code == status


def test_without_leaflet_or_tiles_the_inputs_are_enough(app, owner, tmp_path):
    application_id = new_application(owner)
    app.config["SEAL_LEAFLET_DIR"] = str(tmp_path)
    page = owner.get(f"/panel/applications/{application_id}/contact").get_data(as_text=True)
    assert 'id="location-map"' not in page and 'name="latitude"' in page
    app.config["SEAL_LEAFLET_DIR"], app.config["SEAL_MAP_TILES_URL"] = None, ""
    page = owner.get(f"/panel/applications/{application_id}/contact").get_data(as_text=True)
    assert 'id="location-map"' not in page and 'name="longitude"' in page


@pytest.mark.browser
def test_clicking_the_map_fills_the_coordinates(app, live_server, page, owner):
    application_id = new_application(owner)
    page.context.add_cookies([{"name": "session", "value": owner.get_cookie("session").value,
                               "url": live_server.url}])
    page.route("http://tiles.test/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
    page.goto(f"{live_server.url}/panel/applications/{application_id}/contact")
    page.wait_for_selector("#location-map.leaflet-container")
    page.wait_for_function("document.querySelectorAll('#location-map img.leaflet-tile-loaded').length > 0")
    page.click("#location-map", position={"x": 200, "y": 160})
    latitude, longitude = float(page.input_value("#f-latitude")), float(page.input_value("#f-longitude"))
    assert 24 < latitude < 41 and 43 < longitude < 64  # the middle of Iran's view
    assert page.locator("#location-map .leaflet-marker-icon").count() == 1


@pytest.mark.browser
def test_when_tiles_fail_the_map_gives_way_to_the_inputs(app, live_server, page, owner):
    application_id = new_application(owner)
    page.context.add_cookies([{"name": "session", "value": owner.get_cookie("session").value,
                               "url": live_server.url}])
    page.route("http://tiles.test/**", lambda route: route.fulfill(status=404, body=b""))
    page.goto(f"{live_server.url}/panel/applications/{application_id}/contact?lang=en")
    page.wait_for_selector("#map-failed:not([hidden])")
    assert page.locator("#map-failed").inner_text() == \
        "The map could not be loaded; type the latitude and longitude instead."
    assert page.locator("#location-map").is_hidden() and page.locator("#f-latitude").is_visible()
    page.fill("#f-latitude", CONTACT_STEP["latitude"])
    assert page.input_value("#f-latitude") == "۳۵٫۶۹۹۷"
