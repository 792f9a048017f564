"""Cancellation by request: the owner's documents, a supervisor's confirmation, the public reason in both languages."""
import io

import pytest
from sqlalchemy import func, select

from seal_server.accounts.models import LEGAL
from seal_server.audit import verify_chain
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.renewals.models import Cancellation
from seal_server.seals.models import Seal
from tests.accounts.conftest import csrf_from, sign_in
from tests.staff.conftest import clock, staff_client, token_of  # noqa: F401 (fixtures)

from .test_renewal import seal_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REASON = "We closed the shop and sold the stock."


@pytest.fixture
def owner(client, tmp_path):
    client.application.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    sign_in(client)
    return client


def send(client, public_id, *, files=True, lang="?lang=en", **form):
    data = {"csrf_token": csrf_from(client.get("/panel")), "reason": REASON,
            "owner_name": "مریم احمدی", **form}
    if files:
        data.update(id_copy=(io.BytesIO(PNG), "id.png"), letter=(io.BytesIO(PDF), "letter.pdf"))
    return client.post(f"/panel/seals/{public_id}/cancel{lang}", data=data, content_type="multipart/form-data")


def count(app, model=Cancellation):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_request_without_the_documents_is_refused_and_the_form_comes_back_filled(app, owner):
    public_id, _ = seal_for(app, days=300)
    response = send(owner, public_id, files=False, reason="short")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the reason for cancelling (10 to 1000 characters)." in text
    assert "Choose a file to upload." in text and ">short</textarea>" in text and 'value="مریم احمدی"' in text
    wrong = send(owner, public_id, files=False, id_copy=(io.BytesIO(b"MZ not an image"), "id.png"),
                 letter=(io.BytesIO(PDF), "letter.pdf"))
    assert wrong.status_code == 400 and "Only PDF, JPEG and PNG files are accepted" in wrong.get_data(as_text=True)
    assert count(app) == 0


def test_a_company_must_confirm_letterhead_stamp_and_ceo_signature(app, owner):
    public_id, _ = seal_for(app, days=300)
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        seal.business.owner.kind = LEGAL
        db.session.commit()
    assert "on its letterhead" in owner.get(f"/panel/seals/{public_id}/cancel?lang=en").get_data(as_text=True)
    refused = send(owner, public_id)
    assert refused.status_code == 400 and "confirm that the letter is" in refused.get_data(as_text=True)
    assert count(app) == 0
    assert send(owner, public_id, letterhead="yes").status_code == 302
    assert count(app) == 1


def test_staff_confirm_and_the_verification_page_says_cancelled_at_the_owners_request(app, owner, staff_client, clock):
    public_id, urls = seal_for(app, days=300)
    assert send(owner, public_id).status_code == 302
    page = owner.get(f"/panel/seals/{public_id}/cancel?lang=en").get_data(as_text=True)
    assert "is waiting for the authority" in page
    again = send(owner, public_id)
    assert again.status_code == 400 and "already waiting" in again.get_data(as_text=True)
    with app.app_context():
        row_id = db.session.scalar(select(Cancellation.id))
        assert db.session.scalar(select(Seal.status).where(Seal.public_id == public_id)) == "active"
    path = f"/staff/cancellations/{row_id}"
    reviewer, _ = staff_client("reviewer")
    assert REASON in reviewer.get(path).get_data(as_text=True)
    assert reviewer.get(path + "/letter").data == PDF
    assert reviewer.post(path, data={"csrf_token": token_of(reviewer, path), "action": "confirm"}).status_code == 403
    supervisor, member = staff_client("supervisor")
    clock.advance(minutes=6)
    stale = supervisor.post(path + "?lang=en", data={"csrf_token": token_of(supervisor, path), "action": "confirm"})
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    assert supervisor.post(path, data={"csrf_token": token_of(supervisor, path), "action": "confirm",
                                       "code": member.code(app, clock.now)}).status_code == 302
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert (seal.status, seal.status_reason) == ("revoked", "cancelled at the owner's request")
        assert db.session.scalar(select(Cancellation.status)) == "confirmed"
        assert db.session.scalar(select(Event.payload).where(Event.kind == "seal.revoked"))["reason"] == \
            "cancelled at the owner's request"
        assert verify_chain()[1] is None
    verify = urls["verify_url"].replace("http://seal.test", "")
    assert "It was cancelled at the owner's request." in owner.get(verify + "&lang=en").get_data(as_text=True)
    assert "به درخواست مالک" in owner.get(verify).get_data(as_text=True)
    twice = supervisor.post(path + "?lang=en", data={"csrf_token": token_of(supervisor, path), "action": "confirm"})
    assert twice.status_code == 409
    assert send(owner, public_id).status_code == 400  # already revoked


def test_staff_send_a_request_back_with_a_note_the_owner_reads(app, owner, staff_client, clock):
    public_id, _ = seal_for(app, days=300)
    assert send(owner, public_id).status_code == 302
    with app.app_context():
        row_id = db.session.scalar(select(Cancellation.id))
    path = f"/staff/cancellations/{row_id}"
    supervisor, member = staff_client("supervisor")
    short = supervisor.post(path + "?lang=en", data={"csrf_token": token_of(supervisor, path), "action": "reject",
                                                     "note": "no"})
    assert short.status_code == 400
    assert supervisor.post(path, data={"csrf_token": token_of(supervisor, path), "action": "reject",
                                       "note": "The letter is not signed."}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Seal.status).where(Seal.public_id == public_id)) == "active"
        event = db.session.scalar(select(Event).where(Event.kind == "seal.cancellation_rejected"))
        assert event.payload["note"] == "The letter is not signed."
    assert send(owner, public_id).status_code == 302  # a new request may follow
