"""The commitment: the current terms version, when and from where it was accepted; twice is harmless."""
import json

from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.onboarding import service, terms
from seal_server.onboarding.models import Application
from tests.accounts.conftest import csrf_from

from .conftest import new_application, post_form


def _accepted(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        service.refresh_steps(application, utcnow())  # states are recomputed whenever they are shown
        step = next(s.state for s in application.steps if s.step == "commitment")
        return application.terms_version, application.terms_accepted_at, application.terms_accepted_ip, step


def test_accepting_stores_version_time_and_address_once(app, owner):
    application_id = new_application(owner)
    path = f"/panel/applications/{application_id}/commitment"
    page = owner.get(path).get_data(as_text=True)
    current = terms.current()
    assert current["fa"][0] in page and f'name="version" value="{current["version"]}"' in page
    assert owner.post(path, data={"csrf_token": csrf_from(owner.get(path)), "version": current["version"],
                                  "accept": "yes"}, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302
    version, at, ip, step = _accepted(app, application_id)
    assert (version, ip, step) == (current["version"], "198.51.100.7", "done") and at is not None

    # a second tab still showing the form sends it again
    again = owner.post(path + "?lang=en", data={"csrf_token": csrf_from(owner.get("/panel")),
                                                "version": current["version"], "accept": "yes"})
    assert again.status_code == 200
    body = again.get_data(as_text=True)
    assert "You had already accepted this version of the commitment; nothing changed." in body
    assert "You accepted this version on" in body
    assert _accepted(app, application_id) == (version, at, ip, step)


def test_the_box_must_be_ticked(app, owner):
    application_id = new_application(owner)
    response = post_form(owner, f"/panel/applications/{application_id}/commitment?lang=en",
                         {"version": terms.current()["version"]})
    assert response.status_code == 400
    assert "Tick the box to accept the commitment." in response.get_data(as_text=True)
    assert _accepted(app, application_id)[0] is None


def test_a_stale_version_is_refused_and_a_new_one_undoes_the_step(app, owner, monkeypatch, tmp_path):
    application_id = new_application(owner)
    path = f"/panel/applications/{application_id}/commitment"
    old = terms.current()["version"]
    post_form(owner, path, {"version": old, "accept": "yes"})
    newer = dict(terms.current(), version="1406-1", published="2027-03-21",
                 fa=["متن تازهٔ تعهد."], en=["The new commitment text."])
    listing = tmp_path / "terms.json"
    listing.write_text(json.dumps([terms.current(), newer], ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(terms, "TERMS_FILE", listing)
    terms.versions.cache_clear()
    try:
        page = owner.get(path + "?lang=en").get_data(as_text=True)
        assert "The new commitment text." in page and "read it again and accept the new version" in page
        assert _accepted(app, application_id)[3] == "not_started"
        stale = post_form(owner, path + "?lang=en", {"version": old, "accept": "yes"})
        assert stale.status_code == 409 and "The terms changed while you were reading them" in stale.get_data(
            as_text=True)
        assert post_form(owner, path, {"version": "1406-1", "accept": "yes"}).status_code == 302
        assert _accepted(app, application_id)[0] == "1406-1"
    finally:
        terms.versions.cache_clear()


def test_terms_have_both_languages_paragraph_for_paragraph():
    for row in terms.versions().values():
        assert row["fa"] and len(row["fa"]) == len(row["en"])
