"""Each proof method against a real local site, DNS server and SMTP server, passing and failing."""
import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.events import worker
from seal_server.extensions import db
from seal_server.onboarding import domain, proof, service
from seal_server.onboarding.models import Application, DomainChallenge
from tests.accounts.conftest import csrf_from

from .conftest import BUSINESS, fetch_from, new_application, post_form
from .servers import DnsServer, smtp_server, stream

DOMAIN = "shop.example"


@pytest.fixture
def app_config(site):
    return fetch_from(site)


@pytest.fixture
def application(ctx, now):
    account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
    db.session.add(account)
    db.session.commit()
    application = service.open_application(account, now)
    application.domain, application.name_fa, application.owns_domain_declared_at = DOMAIN, "نمونه", now
    db.session.commit()
    return application


def _failure(application, challenge, now, **kwargs):
    with pytest.raises(proof.ProofFailed) as caught:
        domain.check(application, challenge.id, now, **kwargs)
    return caught.value.message


def _passes(application, challenge, now, **kwargs):
    domain.check(application, challenge.id, now, **kwargs)
    assert application.domain_verified_at == now and application.domain_verified_by == challenge.method
    assert service.step(application, "domain").state == "done"


@pytest.mark.parametrize("path_index", [0, 1])
def test_file_method(application, site, now, path_index):
    challenge = domain.start(application, proof.FILE, None, now)
    path = proof.file_paths(challenge.token)[path_index]
    assert service.step(application, "domain").state == "pending"
    assert _failure(application, challenge, now) == "The file was not found on the site (status %(status)s)."
    site.page(path, f"  {challenge.token}\n\n", content_type="text/plain")
    assert _failure(application, challenge, now) == \
        "The file holds the code with extra spaces or blank lines; it must hold only the code."
    site.page(path, "seal-0000", content_type="text/plain")
    assert _failure(application, challenge, now) == "The file was found but it does not hold the code."
    site.page(path, challenge.token + "\n", content_type="text/plain")
    _passes(application, challenge, now)


def test_a_10_mb_file_is_refused(application, site, now):
    challenge = domain.start(application, proof.FILE, None, now)
    site.page(proof.file_paths(challenge.token)[0], stream(10 * 1024 * 1024), content_type="text/plain")
    assert _failure(application, challenge, now) == "The file is larger than 256 KB; it must hold only the code."


def test_meta_method(application, site, now):
    challenge = domain.start(application, proof.META, None, now)
    site.page("/", "<html><head><title>Shop</title></head><body></body></html>")
    assert _failure(application, challenge, now) == "The home page's head has no seal-verification meta tag."
    site.page("/", f'<html><head></head><body><meta name="seal-verification" content="{challenge.token}"></body></html>')
    assert _failure(application, challenge, now) == "The home page's head has no seal-verification meta tag."
    site.page("/", f'<head><meta name="seal-verification" content=" {challenge.token} "></head>')
    assert _failure(application, challenge, now) == \
        "The meta tag's content has spaces around the code; it must be the code alone."
    site.page("/", '<head><meta name="seal-verification" content="seal-someone-else"></head>')
    assert _failure(application, challenge, now) == \
        "The home page has a seal-verification meta tag, but with another code."
    site.page("/", f'<!doctype html><html><head><meta charset="utf-8">'
                   f'<META NAME="Seal-Verification" CONTENT="{challenge.token}"></head><body>x</body></html>')
    _passes(application, challenge, now)


def test_title_method(application, site, now):
    challenge = domain.start(application, proof.TITLE, None, now)
    site.page("/", "<html><head></head><body><title>x</title></body></html>")
    assert _failure(application, challenge, now) == "The home page has no title."
    site.page("/", "<html><head><title>فروشگاه نمونه</title></head></html>")
    assert _failure(application, challenge, now) == "The home page title does not contain the code."
    site.page("/", f"<html><head><title>فروشگاه نمونه {challenge.token}</title></head></html>")
    _passes(application, challenge, now)


def test_the_home_page_status_is_reported(application, site, now):
    challenge = domain.start(application, proof.TITLE, None, now)
    site.page("/", "gone", status=410)
    assert _failure(application, challenge, now) == "The home page answered with status %(status)s."


@pytest.mark.parametrize("app_config", [{"SEAL_FETCH_RESOLVER": lambda host: ["169.254.169.254"],
                                         "SEAL_FETCH_ALLOW_LOOPBACK": True}])
def test_a_domain_pointing_at_the_metadata_address_is_refused(application, now):
    challenge = domain.start(application, proof.META, None, now)
    assert _failure(application, challenge, now) == \
        "The domain resolves to a private or reserved address, which we do not fetch from."
    assert challenge.last_error.startswith("The domain resolves to a private")


def test_loopback_is_refused_unless_switched_on(application, site, now, app):
    app.config["SEAL_FETCH_ALLOW_LOOPBACK"] = False
    challenge = domain.start(application, proof.TITLE, None, now)
    site.page("/", f"<title>{challenge.token}</title>")
    assert _failure(application, challenge, now) == \
        "The domain resolves to a private or reserved address, which we do not fetch from."
    assert site.requests == []


@pytest.fixture
def dns_server(app):
    server = DnsServer()
    app.config.update(SEAL_DNS_NAMESERVERS="127.0.0.1", SEAL_DNS_PORT=server.port)
    yield server
    server.close()


def test_dns_txt_method(application, dns_server, now):
    challenge = domain.start(application, proof.DNS, None, now)
    name = f"_seal-verification.{DOMAIN}"
    assert _failure(application, challenge, now) == "There is no DNS record named %(name)s yet."
    dns_server.records[name] = []
    assert _failure(application, challenge, now) == "%(name)s has no TXT record yet."
    dns_server.records[name] = ["v=spf1 -all", f" {challenge.token}"]
    assert _failure(application, challenge, now) == \
        "The TXT record holds the code with extra spaces; it must be the code alone."
    dns_server.records[name] = ["v=spf1 -all"]
    assert _failure(application, challenge, now) == "The TXT record at %(name)s does not hold the code."
    dns_server.records[name] = ["v=spf1 -all", challenge.token]
    _passes(application, challenge, now)


@pytest.fixture
def inbox(app):
    inbox, controller = smtp_server()
    app.config.update(SEAL_EMAIL_BACKEND="smtp", SEAL_SMTP_HOST="127.0.0.1", SEAL_SMTP_PORT=controller.port)
    yield inbox
    controller.stop()


def test_email_method(application, inbox, now):
    with pytest.raises(proof.ProofFailed) as caught:
        domain.start(application, proof.EMAIL, "root", now)
    assert caught.value.message == "Choose one of the listed mailboxes."
    challenge = domain.start(application, proof.EMAIL, "webmaster", now)
    assert inbox.messages == [], "nothing is sent inside the request"
    worker.deliver_due(now)
    (recipients, content), = inbox.messages
    assert recipients == [f"webmaster@{DOMAIN}"]
    message = email.message_from_string(content, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None and message["Seal-Event-Id"]
    code = next(word for word in body.replace(":", " ").split() if word.isdigit() and len(word) == 6)
    assert code not in challenge.token
    wrong = "000000" if code != "000000" else "111111"
    assert _failure(application, challenge, now, code=wrong) == "This code is not right."
    assert _failure(application, challenge, now, code="12") == "The code has 6 digits."
    _passes(application, challenge, now, code=code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))


def test_email_codes_lock_after_five_tries(application, inbox, now):
    challenge = domain.start(application, proof.EMAIL, "admin", now)
    for _ in range(5):
        _failure(application, challenge, now, code="abcdef")
    assert _failure(application, challenge, now, code="123456") == "Too many tries for this check; start a new one."


def test_tokens_expire_and_are_bound_to_their_application_and_domain(application, site, now):
    challenge = domain.start(application, proof.TITLE, None, now)
    site.page("/", f"<title>{challenge.token}</title>")
    assert _failure(application, challenge, now + timedelta(days=8)) == "This code has expired; start a new check."
    other = service.open_application(db.session.get(Account, application.account_id), now)
    other.domain = "other.example"
    db.session.commit()
    assert _failure(other, challenge, now) == "This check belongs to another domain; start a new one."
    application.domain = "moved.example"
    db.session.commit()
    assert _failure(application, challenge, now) == "This check belongs to another domain; start a new one."
    application.domain = DOMAIN
    db.session.commit()
    _passes(application, challenge, now)


def test_changing_the_domain_drops_the_proof(application, site, now):
    challenge = domain.start(application, proof.TITLE, None, now)
    site.page("/", f"<title>{challenge.token}</title>")
    _passes(application, challenge, now)
    form = dict(service.business_form(application), domain="elsewhere.example", seal_kind="standard",
                category="general", sales_method="both", name_en="Shop", owns_domain="yes")
    categories, _ = service.category_choices("fa")
    assert service.save_business(application, form, categories, now) == {}
    assert application.domain_verified_at is None
    assert service.step(application, "domain").state == "not_started"
    assert db.session.get(Application, application.id).domain == "elsewhere.example"


def test_the_domain_page_walks_the_meta_method(app, owner, site):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, domain=DOMAIN))
    path = f"/panel/applications/{application_id}/domain"
    page = owner.get(path + "?lang=en")
    assert "A meta tag in the home page" in page.get_data(as_text=True)
    owner.post(f"{path}/start?lang=en", data={"csrf_token": csrf_from(page), "method": "meta"})
    page = owner.get(path + "?lang=en").get_data(as_text=True)
    token = re.search(r'content=&#34;(seal-[0-9a-f]{32})&#34;|content="(seal-[0-9a-f]{32})"', page)
    token = token.group(1) or token.group(2)
    site.page("/", f'<head><meta name="seal-verification" content="{token}"></head>')
    with app.app_context():
        challenge_id = db.session.scalar(select(DomainChallenge.id))
    failed = owner.post(f"{path}/check?lang=en", data={"csrf_token": csrf_from(owner.get(path)), "challenge": "x"})
    assert "This check belongs to another domain; start a new one." in failed.get_data(as_text=True)
    passed = owner.post(f"{path}/check", data={"csrf_token": csrf_from(owner.get(path)), "challenge": challenge_id})
    assert passed.status_code == 302
    proven = re.sub(r"<[^>]+>", "", owner.get(path + "?lang=en").get_data(as_text=True))  # the domain sits in a span
    assert f"Ownership of {DOMAIN} is proven." in proven


def test_ownership_emails_are_capped_per_day(application, inbox, now):
    from datetime import timedelta

    for _ in range(domain.EMAIL_CHALLENGES_PER_DAY):
        domain.start(application, proof.EMAIL, "admin", now)
    with pytest.raises(proof.ProofFailed) as caught:
        domain.start(application, proof.EMAIL, "hostmaster", now)
    assert caught.value.variables == {"count": domain.EMAIL_CHALLENGES_PER_DAY}
    worker.deliver_due(now)
    assert len(inbox.messages) == domain.EMAIL_CHALLENGES_PER_DAY
    domain.start(application, proof.EMAIL, "admin", now + timedelta(days=1, seconds=1))
    worker.deliver_due(now + timedelta(days=1, seconds=1))
    assert len(inbox.messages) == domain.EMAIL_CHALLENGES_PER_DAY + 1
