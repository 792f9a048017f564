"""Who may read and change what on the pages added with arbitration, copies, providers, changes, transfers and
upgrades: another owner, another buyer, a staff member without the role and another payment provider get
nothing (404, a redirect to the follow page, 403), and nothing is written for them."""
import io
import json

from sqlalchemy import func, select

from seal_server.changes.models import SealChange
from seal_server.clock import utcnow
from seal_server.complaints.models import ArbitrationEvidence, ComplaintFile
from seal_server.extensions import db
from seal_server.transfers.models import Transfer
from tests.accounts.conftest import csrf_from, sign_in
from tests.complaints.conftest import PDF
from tests.factories import payment_provider
from tests.staff.conftest import REVIEWER_CODE


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_another_owner_gets_nothing_of_the_seal_or_its_complaint(app, world):
    owner, pid, cid = world["owner"], world["public_id"], world["complaint_id"]
    token = csrf_from(owner.get("/panel"))
    made = owner.post(f"/panel/seals/{pid}/changes/new/email", data={"csrf_token": token, "email": "new@shop.example"})
    change = made.headers["Location"].split("?")[0]
    buyer = world["buyer"]
    assert buyer.post(f"/complaints/{world['tracking']}/arbitration/evidence", data={
        "csrf_token": csrf_from(buyer.get("/complaints/follow")), "evidence": "A photo of what arrived in the box.",
        "evidence_files": [(io.BytesIO(PDF), "box.pdf")]}, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        file_id = db.session.scalar(select(ComplaintFile.id))
    evidence, changes = _count(app, ArbitrationEvidence), _count(app, SealChange)

    stranger = app.test_client()
    sign_in(stranger, national_code="0084575948", mobile="09129999999")
    token = csrf_from(stranger.get("/panel"))
    for path in (f"/panel/seals/{pid}/changes", f"/panel/seals/{pid}/changes/new/email", change,
                 f"/panel/seals/{pid}/transfer", f"/panel/seals/{pid}/upgrade", f"/panel/seals/{pid}/copies",
                 f"/panel/seals/{pid}/providers", f"/panel/complaints/{cid}/files/{file_id}"):
        assert stranger.get(path).status_code == 404, path
    for path, data in ((f"/panel/seals/{pid}/changes/new/email", {"email": "mine@evil.example"}),
                       (f"{change}/cancel", {}), (f"{change}/resend", {}), (f"{change}/code", {"code": "123456"}),
                       (f"/panel/seals/{pid}/transfer", {"national_code": "0084575948"}),
                       (f"/panel/seals/{pid}/upgrade", {})):
        assert stranger.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    for path, field in ((f"/panel/complaints/{cid}/arbitration/evidence", "evidence"),
                        (f"/panel/complaints/{cid}/arbitration/settlement", "settlement"),
                        (f"/panel/complaints/{cid}/answer", "answer")):
        refused = stranger.post(path + "?lang=en", data={"csrf_token": token, field: "I am not this shop at all."})
        assert refused.status_code in (400, 404), path
    assert _count(app, ArbitrationEvidence) == evidence and _count(app, SealChange) == changes
    assert _count(app, Transfer) == 0
    with app.app_context():
        assert db.session.get(SealChange, int(change.rsplit("/", 1)[1])).state not in ("cancelled",)
        assert db.session.get(SealChange, int(change.rsplit("/", 1)[1])).codes_sent == 1


def test_a_buyer_reads_and_acts_only_on_the_complaint_their_session_follows(app, world):
    tracking, cid = world["tracking"], world["complaint_id"]
    buyer = world["buyer"]
    token = csrf_from(buyer.get("/complaints/follow"))
    assert buyer.post(f"/complaints/{tracking}/arbitration/evidence", data={
        "csrf_token": token, "evidence": "A photo of what arrived in the box.",
        "evidence_files": [(io.BytesIO(PDF), "box.pdf")]}, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        file_id = db.session.scalar(select(ComplaintFile.id))
    evidence = _count(app, ArbitrationEvidence)
    for other in (app.test_client(), _following(app, cid + 1000)):
        token = csrf_from(other.get("/complaints/follow"))
        assert other.get(f"/complaints/{tracking}").status_code == 302
        assert other.get(f"/complaints/{tracking}/files/{file_id}").status_code == 404
        assert other.get(f"/complaints/{tracking}/referral.pdf").status_code == 404
        for path in (f"/complaints/{tracking}/arbitration/evidence", f"/complaints/{tracking}/arbitration/settled",
                     f"/complaints/{tracking}/arbitration", f"/complaints/{tracking}/refer"):
            answer = other.post(path, data={"csrf_token": token, "evidence": "Not my complaint at all, sorry."})
            assert answer.status_code == 302 and "/complaints/follow" in answer.headers["Location"], path
    assert _count(app, ArbitrationEvidence) == evidence
    download = buyer.get(f"/complaints/{tracking}/files/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert download.headers["Content-Type"] == "application/pdf"


def _following(app, complaint_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["followed_complaint"] = complaint_id
    return client


def test_staff_without_the_role_and_another_provider_are_refused(app, world, staff_client):
    cid = world["complaint_id"]
    reviewer, _ = staff_client("reviewer", national_code=REVIEWER_CODE)
    token = csrf_from(reviewer.get("/staff"))
    for path in (f"/staff/complaints/{cid}", f"/staff/complaints/{cid}/files/1", "/staff/providers",
                 "/staff/providers/1"):
        assert reviewer.get(path).status_code == 403, path
    assert reviewer.post(f"/staff/complaints/{cid}/ruling", data={
        "csrf_token": token, "outcome": "shop", "reasons": "The shop delivered what was ordered."}).status_code == 403
    assert reviewer.post("/staff/providers", data={"csrf_token": token, "name": "evil", "contact": "a@b.example"}
                         ).status_code == 403

    with app.app_context():
        other = payment_provider("saman", now=utcnow())
    auth = {"Authorization": f"Bearer {other}", "Content-Type": "application/json"}
    api = app.test_client()
    assert api.get("/api/v1/psp/merchants/shop.example", headers=auth).status_code == 403
    assert api.delete("/api/v1/psp/merchants/shop.example", headers=auth).status_code == 403
    assert api.get("/api/v1/psp/merchants", headers=auth).json == {"merchants": []}
    report = api.post("/api/v1/gray-volumes", headers=auth, data=json.dumps(
        {"seal_id": world["public_id"], "month": "1405-01", "amount_rials": 1000, "transactions": 1}))
    assert report.status_code == 403, report.json
    # the bound provider still reads its merchant, and the answer holds nothing private
    mine = api.get("/api/v1/psp/merchants/shop.example", headers={"Authorization": f"Bearer {world['token']}"})
    assert mine.status_code == 200
    assert set(mine.json) == {"domain", "seal_id", "kind", "stars", "status", "expires_at", "gray_volume"}
