"""Quotas per account: live applications, applications a day, stored bytes; the upload route is rate-limited."""
import io

import pytest

from tests.accounts.conftest import csrf_from

from .conftest import NATURAL, PDF, new_application, post_form


def _new(client, lang="?lang=en"):
    page = client.get("/panel" + lang)
    return client.post("/panel/applications" + lang, data={"csrf_token": csrf_from(page)})


def _upload(client, application_id, data=PDF):
    path = f"/panel/applications/{application_id}/documents"
    page = client.get(path)
    return client.post(path + "?lang=en", data={"csrf_token": csrf_from(page), "kind": "court_ruling",
                                                 "file": (io.BytesIO(data), "ruling.pdf")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("app_config", [{"SEAL_APPLICATIONS_PER_ACCOUNT": 3}])
def test_live_applications_per_account_are_capped(owner):
    for _ in range(3):
        assert _new(owner).status_code == 302
    refused = _new(owner)
    assert refused.status_code == 400
    assert "You already have 3 open applications" in refused.get_data(as_text=True)


APPLICATIONS_PER_DAY = 10


def test_new_applications_a_day_are_capped_even_when_withdrawn(app, owner):
    for _ in range(APPLICATIONS_PER_DAY):
        application_id = new_application(owner)
        page = owner.get(f"/panel/applications/{application_id}")
        deleted = owner.post(f"/panel/applications/{application_id}/delete", data={"csrf_token": csrf_from(page)})
        assert deleted.status_code == 302
    refused = _new(owner)
    assert refused.status_code == 400
    assert "at most %d new applications a day" % APPLICATIONS_PER_DAY in refused.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"SEAL_UPLOAD_ACCOUNT_BYTES": 2 * len(PDF) + 10}])
def test_stored_bytes_per_account_are_capped(owner):
    ids = [new_application(owner) for _ in range(3)]
    for application_id in ids:
        post_form(owner, f"/panel/applications/{application_id}/identity", dict(NATURAL, birth_date="1392/01/01"))
    assert _upload(owner, ids[0]).status_code == 302
    assert _upload(owner, ids[0]).status_code == 302  # replacing a document frees its bytes
    assert _upload(owner, ids[1]).status_code == 302
    refused = _upload(owner, ids[2])
    assert refused.status_code == 400
    assert "Your documents already take" in refused.get_data(as_text=True)


def test_the_upload_route_is_rate_limited(owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", dict(NATURAL, birth_date="1392/01/01"))
    answers = [_upload(owner, application_id).status_code for _ in range(11)]
    assert 429 in answers
