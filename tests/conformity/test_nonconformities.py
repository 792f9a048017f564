"""Non-conformities: staff record one, the owner answers, staff accept or reject; open ones on the public
record (never the internal note); a level-3 past its deadline may suspend the seal."""
from sqlalchemy import select

from seal_server.audit import verify_chain
from seal_server.conformity import rules, service
from seal_server.conformity.models import NonConformity
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.seals import service as seal_service
from tests.accounts.conftest import csrf_from, sign_in
from tests.staff.conftest import token_of


RECORD = {"level": "2", "description": "زمان تحویل کالا در سایت نیامده است", "internal_note": "SECRET-NOTE",
          "days": "7"}


def test_who_may_suspend_for_a_nonconformity(now):
    from datetime import timedelta
    past, future = now - timedelta(days=1), now + timedelta(days=1)
    assert rules.may_suspend_for(3, past, now, "open")
    assert rules.may_suspend_for(3, past, now, "answered")
    assert not rules.may_suspend_for(3, past, now, "closed")
    assert not rules.may_suspend_for(3, future, now, "open")
    assert not rules.may_suspend_for(2, past, now, "open")


def verify_and_api(app, public_id):
    with app.app_context():
        urls = seal_service.urls_for(seal_service.get_seal(public_id))
    return (urls["verify_url"].removeprefix("http://seal.test"),
            urls["verify_url"].removeprefix("http://seal.test").replace("/verify/", "/api/v1/seals/"))


def test_record_answer_reject_answer_accept(app, owner, staff_client):
    client, public_id = owner
    verify, api = verify_and_api(app, public_id)
    reviewer, _ = staff_client("reviewer")
    path = f"/staff/seals/{public_id}/nonconformities"
    bad = reviewer.post(path + "?lang=en", data={**RECORD, "days": "0", "csrf_token": token_of(reviewer, path)})
    assert bad.status_code == 400 and "between 1 and 90 days" in bad.get_data(as_text=True)
    assert RECORD["description"] in bad.get_data(as_text=True)  # the form comes back filled
    assert reviewer.post(path, data={**RECORD, "csrf_token": token_of(reviewer, path)}).status_code == 302

    page = client.get(verify).get_data(as_text=True)
    assert RECORD["description"] in page and "SECRET-NOTE" not in page
    assert client.get(api).get_json()["record"]["nonconformities_open"] == 1
    with app.app_context():
        item = db.session.scalar(select(NonConformity))
        assert db.session.scalar(select(Event).where(Event.kind == "nonconformity.recorded")) is not None

    owner_page = f"/panel/seals/{public_id}/nonconformities"
    assert RECORD["description"] in client.get(owner_page).get_data(as_text=True)
    answer = f"/panel/nonconformities/{item.id}/answer"
    empty = client.post(answer, data={"csrf_token": csrf_from(client.get(owner_page)), "answer": " "})
    assert empty.status_code == 400
    assert client.post(answer, data={"csrf_token": csrf_from(client.get(owner_page)),
                                     "answer": "زمان تحویل افزوده شد"}).status_code == 302

    queue = "/staff/nonconformities"
    assert "زمان تحویل افزوده شد" in reviewer.get(queue).get_data(as_text=True)
    decide = f"/staff/nonconformities/{item.id}"
    assert reviewer.post(decide, data={"csrf_token": token_of(reviewer, queue), "verdict": "reject"}) \
        .status_code == 400  # a rejection needs its reason
    assert reviewer.post(decide, data={"csrf_token": token_of(reviewer, queue), "verdict": "reject",
                                       "note": "هنوز دیده نمی‌شود"}).status_code == 302
    assert "هنوز دیده نمی‌شود" in client.get(owner_page).get_data(as_text=True)
    assert client.get(api).get_json()["record"]["nonconformities_open"] == 1
    client.post(answer, data={"csrf_token": csrf_from(client.get(owner_page)), "answer": "اکنون در صفحه است"})
    assert reviewer.post(decide, data={"csrf_token": token_of(reviewer, queue), "verdict": "accept"}) \
        .status_code == 302
    assert client.get(api).get_json()["record"]["nonconformities_open"] == 0
    assert RECORD["description"] not in client.get(verify).get_data(as_text=True)
    with app.app_context():
        assert verify_chain()[1] is None


def test_another_owner_cannot_answer(app, owner, clock):
    _, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        item = service.record_nonconformity(seal, RECORD, now=clock.now, staff_id=None)
        item_id = item.id
    stranger = app.test_client()
    sign_in(stranger, national_code="0084575948", mobile="09120000000")
    page = stranger.get("/account")
    response = stranger.post(f"/panel/nonconformities/{item_id}/answer",
                             data={"csrf_token": csrf_from(page), "answer": "fixed"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(NonConformity, item_id).status == "open"


def test_a_level_three_past_its_deadline_may_suspend(app, owner, staff_client, clock):
    _, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        item_id = service.record_nonconformity(seal, {**RECORD, "level": "3", "days": "3"}, now=clock.now,
                                               staff_id=None).id
    supervisor, _ = staff_client("supervisor")
    path = f"/staff/seals/{public_id}/nonconformities"
    early = supervisor.post(f"/staff/nonconformities/{item_id}/suspend", data={"csrf_token": token_of(supervisor, path)})
    assert early.status_code == 409
    clock.advance(days=4)
    supervisor, _ = staff_client("supervisor")
    assert "Suspend the seal" in supervisor.get(path + "?lang=en").get_data(as_text=True)
    response = supervisor.post(f"/staff/nonconformities/{item_id}/suspend",
                               data={"csrf_token": token_of(supervisor, path)})
    assert response.status_code == 302
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        assert seal.status == "suspended" and "non-conformity" in seal.status_reason
        assert db.session.scalar(select(Event).where(Event.kind == "seal.suspended")).actor_kind == "staff"
