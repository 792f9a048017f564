"""Junk typed or sent to every form and API added with arbitration, copies, providers, changes, transfers and
upgrades: each answers with a page or a JSON refusal, never a 500."""
import json

from seal_server.changes import rules as change_rules
from tests.accounts.conftest import csrf_from

JUNK = ["", " ", "x" * 20_000, "۱۲۳۴۵۶", "٠١٢٣٤٥٦٧٨٩", "9" * 400, "-1", "1e309", "NaN", "\x00", "../../etc/passwd",
        "<script>alert(1)</script>", "%00", "\u202e\u200c", "۰۹۱۲۱۲۳۴۵۶۷", "0" * 10]


def forms(w):
    """(client, path, fields) of every new form."""
    pid, cid, tracking = w["public_id"], w["complaint_id"], w["tracking"]
    owner, buyer, arbiter = w["owner"], w["buyer"], w["arbiter"]
    rows = [(owner, f"/panel/seals/{pid}/changes/new/{kind}", list(change_rules.FIELDS[kind]) or ["confirm"])
            for kind in change_rules.KINDS]
    rows += [
        (owner, f"/panel/seals/{pid}/transfer", ["national_code"]),
        (owner, f"/panel/complaints/{cid}/arbitration/evidence", ["evidence"]),
        (owner, f"/panel/complaints/{cid}/arbitration/settlement", ["settlement"]),
        (owner, f"/panel/complaints/{cid}/answer", ["answer"]),
        (buyer, f"/complaints/{tracking}/arbitration/evidence", ["evidence"]),
        (buyer, f"/complaints/{tracking}/refer", ["body"]),
        (buyer, f"/complaints/{tracking}", ["verdict"]),
        (arbiter, f"/staff/complaints/{cid}/ruling", ["outcome", "award", "reasons", "code"]),
        (arbiter, "/staff/providers", ["name", "contact", "code"]),
        (arbiter, "/staff/changes/1", ["action", "note"]),
        (arbiter, "/staff/renewals/1", ["action", "note", "code"]),
    ]
    return rows


def test_junk_in_every_new_form_never_500s(app, world):
    for client, path, fields in forms(world):
        token = csrf_from(client.get("/complaints/follow"))
        for junk in JUNK:
            for lang in ("", "?lang=en"):
                response = client.post(path + lang, data={"csrf_token": token, **{name: junk for name in fields}})
                assert response.status_code < 500, (path, fields, junk[:40], response.status_code)
                assert "did not come from our site" not in response.get_data(as_text=True), (path, junk[:40])
            one = client.post(path + "?lang=en", data={"csrf_token": token, fields[0]: junk})
            assert one.status_code < 500, (path, fields[0], junk[:40])


def test_junk_in_change_actions_and_ids_never_500s(app, world):
    owner, pid = world["owner"], world["public_id"]
    token = csrf_from(owner.get("/panel"))
    made = owner.post(f"/panel/seals/{pid}/changes/new/email", data={"csrf_token": token, "email": "new@shop.example"})
    assert made.status_code == 302
    change = made.headers["Location"].split("?")[0]
    for action in ("code", "resend", "proof-start", "proof-check", "cancel", "nothing", "..%2F..", "x" * 300):
        for junk in JUNK:
            response = owner.post(f"{change}/{action}", data={"csrf_token": token, "code": junk, "method": junk,
                                                               "mailbox": junk})
            assert response.status_code < 500, (action, junk[:40])
    for path in (f"/panel/seals/{pid}/changes/99999999999999999999999", f"/panel/transfers/{'9' * 30}",
                 f"/panel/complaints/{'9' * 30}/files/1", f"/complaints/{world['tracking']}/files/{'9' * 30}",
                 f"/panel/seals/{'x' * 500}/copies", "/panel/seals/%00/upgrade", f"/staff/complaints/{'9' * 30}",
                 f"/staff/providers/{'9' * 30}", "/complaints/arbitration/paid/" + "9" * 300,
                 "/complaints/arbitration/paid/..%2F..%2Fetc", f"/invoices/{'x' * 300}", "/panel/transfers/۱",
                 f"/panel/complaints/{world['complaint_id']}/files/٠", "/staff/complaints/-1", "/staff/providers/0"):
        for client in (owner, world["arbiter"], world["buyer"]):
            assert client.get(path).status_code < 500, path


def test_junk_to_the_provider_api_never_500s(app, world):
    client = app.test_client()
    auth = {"Authorization": "Bearer " + world["token"]}
    bodies = [None, "", "[]", "null", "1", '"x"', "{", json.dumps({"seal_id": 1, "domain": []}),
              json.dumps({"seal_id": "x" * 5000, "domain": "x" * 5000}), "[" * 5000 + "]" * 5000,
              json.dumps({"seal_id": world["public_id"], "domain": "\x00.example"}),
              json.dumps({"seal_id": world["public_id"], "month": "9" * 400, "amount_rials": 1e309,
                          "transactions": -1}),
              json.dumps({"seal_id": world["public_id"], "month": "۱۴۰۵-۰۱", "amount_rials": "۱۲۳",
                          "transactions": 10 ** 40})]
    for path in ("/api/v1/psp/merchants", "/api/v1/gray-volumes"):
        for body in bodies:
            response = client.post(path, data=body, headers={**auth, "Content-Type": "application/json"})
            assert response.status_code < 500, (path, body and body[:60], response.status_code)
            assert response.is_json
    for domain in ("x" * 3000, "%00", "..", "۱۲۳.example", "a\nb", "xn--", "-.example"):
        assert client.get(f"/api/v1/psp/merchants/{domain}", headers=auth).status_code < 500, domain
        assert client.delete(f"/api/v1/psp/merchants/{domain}", headers=auth).status_code < 500, domain
    for header in ("Bearer", "Bearer " + "x" * 10_000, "Basic abc", "bearer  " + world["token"], "\u00e9"):
        assert client.get("/api/v1/psp/merchants", headers={"Authorization": header}).status_code in (200, 401)
