"""Signed webhooks to a real local receiver: registration, signatures, retries, rotation, the owner's page."""
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.cli import cli
from seal_server.clock import utcnow
from seal_server.events import webhooks, worker
from seal_server.events.models import DEAD, PENDING, SENT, Delivery, WebhookEndpoint
from seal_server.extensions import db
from seal_server.seals import service
from tests.events.conftest import verify_signature
from tests.factories import issue


def _add(app, seal, url, events=""):
    result = app.test_cli_runner().invoke(cli, ["webhook", "add", "--seal", seal.public_id, "--url", url,
                                                "--events", events, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_suspension_reaches_the_receiver_signed(app, ctx, now, receiver):
    seal = issue(now=now)
    hook = _add(app, seal, receiver.url)
    assert hook["secret"].startswith("whsec_") and isinstance(hook["id"], int)
    service.suspend(seal.public_id, now=now, actor="cli", reason="non-responses")
    worker.deliver_due(now)
    (hit,) = receiver.hits
    body = hit["json"]
    assert body["type"] == "seal.suspended" and hit["headers"]["Seal-Event-Id"] == body["id"]
    assert hit["headers"]["Content-Type"] == "application/json"
    assert verify_signature(hook["secret"], hit["headers"]["Seal-Signature"], hit["body"])
    assert not verify_signature("whsec_wrong", hit["headers"]["Seal-Signature"], hit["body"])
    assert not verify_signature(hook["secret"], hit["headers"]["Seal-Signature"], hit["body"] + b" ")
    assert not verify_signature(hook["secret"], hit["headers"]["Seal-Signature"], hit["body"], now=time.time() + 301)
    data = body["data"]
    assert (data["id"], data["domain"], data["status"], data["stars"]) == (seal.public_id, "shop.example",
                                                                           "suspended", 1)
    assert set(data) >= {"verify_url", "badge_url", "expires_at", "record", "kind"}
    assert "national_code" not in hit["body"].decode() and "0013542419" not in hit["body"].decode()
    assert body["created_at"].endswith("+00:00")


def test_the_receiver_chooses_its_event_kinds(app, ctx, now, receiver):
    seal = issue(now=now)
    _add(app, seal, receiver.url, events="seal.revoked")
    service.suspend(seal.public_id, now=now, actor="cli", reason="x")
    service.revoke(seal.public_id, now=now, actor="cli", reason="y")
    worker.deliver_due(now)
    assert [hit["json"]["type"] for hit in receiver.hits] == ["seal.revoked"]


@pytest.mark.parametrize("mode", ["fail", "redirect", "hang"])
def test_a_failing_receiver_is_retried_and_a_redirect_never_followed(app, ctx, now, receiver, mode):
    seal = issue(now=now)
    _add(app, seal, receiver.url)
    receiver.mode = mode
    service.suspend(seal.public_id, now=now, actor="cli", reason="x")
    assert worker.deliver_due(now)["retrying"] == 1
    delivery = db.session.scalar(select(Delivery).where(Delivery.channel == "webhook"))
    assert delivery.status == PENDING and delivery.attempts == 1
    assert [hit["path"] for hit in receiver.hits] in ([], ["/hook"]), "the redirect's target is never asked"
    receiver.mode = "ok"
    later = now + timedelta(hours=1)
    assert worker.deliver_due(later)["sent"] == 1
    ids = {hit["headers"]["Seal-Event-Id"] for hit in receiver.hits}
    assert len(ids) == 1, "every attempt carries the same event id, so the receiver de-duplicates"


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_owner_told(app, ctx, now, receiver, smtp):
    seal = issue(now=now, email="info@shop.example")
    _add(app, seal, receiver.url)
    receiver.mode = "fail"
    service.suspend(seal.public_id, now=now, actor="cli", reason="x")
    moment = now
    while moment < now + timedelta(days=4):
        worker.deliver_due(moment)
        moment += timedelta(hours=6)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.active is False and endpoint.disabled_reason == "failed for three days"
    subjects = [message["Subject"] for message in smtp.messages]
    assert any("Webhook" in subject for subject in subjects), subjects
    delivery = db.session.scalar(select(Delivery).where(Delivery.channel == "webhook"))
    assert delivery.status in (DEAD, PENDING)


def test_a_rotated_secret_signs_twice_for_a_day(app, ctx, now, receiver):
    seal = issue(now=now)
    old = _add(app, seal, receiver.url)["secret"]
    endpoint = db.session.scalar(select(WebhookEndpoint))
    new = webhooks.rotate_secret(endpoint, now=now, actor="cli")
    db.session.commit()
    service.suspend(seal.public_id, now=now, actor="cli", reason="x")
    worker.deliver_due(now)
    header = receiver.hits[-1]["headers"]["Seal-Signature"]
    assert header.count("v1=") == 2
    assert verify_signature(old, header, receiver.hits[-1]["body"]) and verify_signature(new, header,
                                                                                         receiver.hits[-1]["body"])
    service.reinstate(seal.public_id, now=now + timedelta(hours=25), actor="cli")
    worker.deliver_due(now + timedelta(hours=25))
    header = receiver.hits[-1]["headers"]["Seal-Signature"]
    assert header.count("v1=") == 1 and not verify_signature(old, header, receiver.hits[-1]["body"])


@pytest.mark.parametrize("url, production, message", [
    ("http://127.0.0.1:8080/hook", False, "private or reserved"),
    ("http://10.1.2.3/hook", False, "private or reserved"),
    ("ftp://shop.example/hook", False, "Only http and https"),
    ("http://shop.example/hook", True, "must use https"),
    ("", False, "full address"),
    ("http://[abc/hook", False, "no host name"),
])
def test_unsafe_addresses_are_refused_clearly(app, ctx, now, url, production, message):
    app.config.update(SEAL_FETCH_ALLOW_LOOPBACK=False, SEAL_ENV="production" if production else "development")
    seal = issue(now=now)
    with pytest.raises(webhooks.WebhookError) as caught:
        webhooks.add_endpoint(seal, url, [], now=now, actor="cli")
    assert message in str(caught.value)
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_owner_manages_webhooks_and_reminders_in_the_panel(app, now, receiver):
    from tests.accounts.conftest import csrf_from, sign_in

    owner = app.test_client()
    sign_in(owner)
    with app.app_context():
        from seal_server.accounts.models import Account

        seal = issue(now=utcnow())
        seal.business.owner.account_id = db.session.scalar(select(Account.id))
        db.session.commit()
        public_id = seal.public_id
    base = f"/panel/seals/{public_id}"
    page = owner.get(base + "/notifications")
    assert page.status_code == 200 and "وب‌هوک" in page.get_data(as_text=True)
    token = csrf_from(page)
    refused = owner.post(base + "/webhooks", data={"csrf_token": token, "url": "ftp://x.example/h"})
    assert refused.status_code == 400 and 'value="ftp://x.example/h"' in refused.get_data(as_text=True)
    added = owner.post(base + "/webhooks", data={"csrf_token": token, "url": receiver.url,
                                                 "events": ["seal.suspended"]})
    secret = added.get_data(as_text=True).split('value="whsec_')[1].split('"')[0]
    assert "whsec_" + secret not in owner.get(base + "/notifications").get_data(as_text=True), "shown once"
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    owner.post(base + f"/webhooks/{endpoint_id}/test", data={"csrf_token": token})
    (hit,) = receiver.hits
    assert hit["json"]["type"] == "webhook.test" and verify_signature("whsec_" + secret,
                                                                       hit["headers"]["Seal-Signature"], hit["body"])
    assert "webhook.test" in owner.get(base + "/notifications").get_data(as_text=True), "the delivery log"
    owner.post(base + "/reminders", data={"csrf_token": token, "muted": "1"})
    with app.app_context():
        assert service.get_seal(public_id).reminders_muted is True
    stranger = app.test_client()
    sign_in(stranger, national_code="0067749828", mobile="09350000000")
    assert stranger.get(base + "/notifications").status_code == 404
    assert stranger.post(base + f"/webhooks/{endpoint_id}/test", data={"csrf_token": token}).status_code in (400, 404)
    with app.app_context():
        assert db.session.scalar(select(Delivery).where(Delivery.status == SENT, Delivery.channel == "webhook"))


def _readme_block(language):
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("**Webhooks.**"):readme.index("**Audit.**")]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_readmes_verification_examples_work(tmp_path):
    import shutil
    import subprocess

    from seal_server.signing import webhook_signature

    body = b'{"id":"e1","type":"seal.suspended"}'
    header = webhook_signature(["whsec_new", "whsec_old"], int(time.time()), body)
    stale = webhook_signature(["whsec_new"], int(time.time()) - 301, body)
    namespace = {}
    exec(_readme_block("python"), namespace)
    assert namespace["verify"]("whsec_old", header, body) and namespace["verify"]("whsec_new", header, body)
    assert not namespace["verify"]("whsec_other", header, body) and not namespace["verify"]("whsec_new", stale, body)
    php = shutil.which("php")
    assert php, "scripts/bootstrap installs php-cli"
    script = tmp_path / "verify.php"
    script.write_text("<?php\n" + _readme_block("php") + """
$body = file_get_contents('php://stdin');
foreach (array_slice($argv, 1) as $i => $pair) {
    [$secret, $header] = explode('|', $pair, 2);
    echo seal_verify($secret, $header, $body) ? "1" : "0";
}
""")
    done = subprocess.run([php, str(script), f"whsec_old|{header}", f"whsec_other|{header}", f"whsec_new|{stale}"],
                          input=body, capture_output=True, timeout=30)
    assert done.stdout == b"100", done.stderr


def test_the_deliveries_page_is_for_operator_staff_only_in_production(app):
    from tests.staff.conftest import enrol, sign_in as staff_sign_in

    moment = utcnow()

    app.config["SEAL_POST_OFFICE_PAGE"] = False
    visitor = app.test_client()
    assert visitor.get("/operator/deliveries").status_code == 404
    support = app.test_client()
    member = enrol(app, "0075076438", ["support"], moment)
    assert staff_sign_in(support, member, moment).status_code == 302
    page = support.get("/operator/deliveries?view=dead")
    assert page.status_code == 200 and "Outbox deliveries" in support.get(
        "/operator/deliveries?lang=en").get_data(as_text=True)
    reviewer = app.test_client()
    other = enrol(app, "0067749828", ["reviewer"], moment)
    assert staff_sign_in(reviewer, other, moment).status_code == 302
    assert reviewer.get("/operator/deliveries").status_code == 404
