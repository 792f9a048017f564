"""Proving control of the application's domain: start a challenge by one method, then check it."""
import secrets
from contextlib import nullcontext
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import signing
from ..extensions import db
from ..iran.digits import to_latin_digits
from ..marks import N_
from ..events import Actor, emit
from . import proof
from .fetcher import FetchError, SafeFetcher, table_resolver
from .models import Application, DomainChallenge
from .service import changed, domain_taken, editable
from .slots import Busy, Slots

EMAIL_CODE_TRIES = 5
CHECKS_PER_CHALLENGE = 50
EMAIL_DIGEST_CHARS = 47  # salt (16) + ":" + 47 hex digits fit the 64-character token column


def fetcher_from_config(config):
    """The safe fetcher; SEAL_FETCH_HOSTS and the ports send it to a local demo site (tests pass a resolver)."""
    resolver = config.get("SEAL_FETCH_RESOLVER")
    if resolver is None and config.get("SEAL_FETCH_HOSTS"):
        resolver = table_resolver(config["SEAL_FETCH_HOSTS"])
    return SafeFetcher(
        resolver=resolver,
        allow_loopback=config["SEAL_FETCH_ALLOW_LOOPBACK"],
        ports={"http": config.get("SEAL_FETCH_HTTP_PORT", 80), "https": config.get("SEAL_FETCH_HTTPS_PORT", 443)},
    )


def _email_code_text(challenge_token_salt, code):
    return f"domain-email.v1|{challenge_token_salt}|{code}"


EMAIL_CHALLENGES_PER_DAY = 3  # per application, and per domain across applications
EMAIL_CHALLENGES_PER_ACCOUNT_DAY = 6
# checks that reach out to the site or its DNS, running now in this process
FETCH_SLOTS = Slots()


def current_challenges(application, now):
    """The newest unexpired challenge per method for the application's current domain."""
    if not application.domain:
        return {}
    rows = db.session.scalars(select(DomainChallenge).where(
        DomainChallenge.application_id == application.id, DomainChallenge.domain == application.domain)
        .order_by(DomainChallenge.id.desc())).all()
    latest = {}
    for row in rows:
        if row.expires_at > now and row.method not in latest:
            latest[row.method] = row
    return latest


def _check_email_caps(application, domain, now):
    """Each email lands in a stranger's mailbox if the applicant is not the owner, and brings fresh guesses: keep
    them rare per application, per domain and per account (a new application must not reset the count)."""
    emails_today = select(func.count()).select_from(DomainChallenge).join(
        Application, Application.id == DomainChallenge.application_id).where(
        DomainChallenge.method == proof.EMAIL, DomainChallenge.created_at > now - timedelta(days=1))
    for condition, cap, message in (
        (DomainChallenge.application_id == application.id, EMAIL_CHALLENGES_PER_DAY,
         N_("At most %(count)s ownership emails a day; use the code already sent, or another method.")),
        (DomainChallenge.domain == domain, EMAIL_CHALLENGES_PER_DAY,
         N_("At most %(count)s ownership emails a day for this domain; use the code already sent, "
            "or another method.")),
        (Application.account_id == application.account_id, EMAIL_CHALLENGES_PER_ACCOUNT_DAY,
         N_("At most %(count)s ownership emails a day from your account; use another method, "
            "or try again tomorrow.")),
    ):
        if db.session.scalar(emails_today.where(condition)) >= cap:
            raise proof.ProofFailed(message, count=cap)


def start(application, method, mailbox, now):
    """A new challenge for `method` on the application's domain (email: the code is sent now)."""
    editable(application, ("domain",))
    if not application.domain:
        raise proof.ProofFailed(N_("Fill in the business and its domain first."))
    challenge = open_challenge(application, application.domain, method, mailbox, now)
    changed(application, ("domain",), now)
    return challenge


def open_challenge(application, domain, method, mailbox, now):
    """A new challenge of `application` for `method` on `domain` (email: the code is queued now). No commit.

    Onboarding proves the application's own domain; a registered domain change proves the new one.
    """
    if method not in dict(proof.METHODS):
        raise proof.ProofFailed(N_("Choose a way to prove ownership."))
    challenge = DomainChallenge(
        application_id=application.id, domain=domain, method=method, created_at=now,
        expires_at=now + timedelta(days=current_app.config["SEAL_PROOF_TOKEN_DAYS"]), attempts=0)
    if method == proof.EMAIL:
        if mailbox not in proof.EMAIL_MAILBOXES:
            raise proof.ProofFailed(N_("Choose one of the listed mailboxes."))
        _check_email_caps(application, domain, now)
        code = f"{secrets.randbelow(10 ** 6):06d}"
        salt = secrets.token_hex(8)
        challenge.email = f"{mailbox}@{domain}"
        challenge.token = f"{salt}:{signing.code_digest(_email_code_text(salt, code))[:EMAIL_DIGEST_CHARS]}"
        challenge.expires_at = now + timedelta(hours=24)
        emit("domain.email_code", application, {"domain": domain}, Actor.owner(application.account_id),
             now=now, to={"email": challenge.email}, secrets={"code": code}, audit=False)
    else:
        challenge.token = proof.new_token()
    db.session.add(challenge)
    db.session.flush()
    return challenge


def checkable(application, challenge_id, now):
    """The application's challenge that may be checked now (perhaps already verified), or ProofFailed."""
    editable(application, ("domain",))
    in_range = isinstance(challenge_id, int) and 0 < challenge_id < 2**31
    challenge = db.session.get(DomainChallenge, challenge_id) if in_range else None
    if (challenge is None or challenge.application_id != application.id
            or challenge.domain != application.domain):
        raise proof.ProofFailed(N_("This check belongs to another domain; start a new one."))
    if challenge.verified_at is None:
        still_open(challenge, now)
    return challenge


def still_open(challenge, now):
    if now >= challenge.expires_at:
        raise proof.ProofFailed(N_("This code has expired; start a new check."))
    limit = EMAIL_CODE_TRIES if challenge.method == proof.EMAIL else CHECKS_PER_CHALLENGE
    if challenge.attempts >= limit:
        raise proof.ProofFailed(N_("Too many tries for this check; start a new one."))


def check(application, challenge_id, now, *, code=None):
    """Look for the proof now; marks the domain verified, or raises ProofFailed (kept as last_error).

    This decides the proof; the panel runs it on the worker (`checks.py`) for the methods that fetch.
    """
    challenge = checkable(application, challenge_id, now)
    if challenge.verified_at is not None:
        return challenge
    prove(challenge, application.account_id, now, code=code)
    taken = domain_taken(application.domain, application)
    if taken:
        challenge.last_error = taken
        db.session.commit()
        raise proof.ProofFailed(taken)
    challenge.verified_at, challenge.last_error = now, None
    application.domain_verified_at, application.domain_verified_by = now, challenge.method
    changed(application, ("domain",), now)
    return challenge


def prove(challenge, account_id, now, *, code=None):
    """Look for the challenge's proof now (counting the try); raises ProofFailed, kept as last_error (committed).

    Returns normally when the proof is there; the caller marks what it proves and commits. Onboarding's
    `check` and a registered domain change (`changes/`) both call it.
    """
    still_open(challenge, now)
    try:
        with _fetch_slot(challenge, account_id):
            challenge.attempts += 1
            _run(challenge, code)
    except Busy as busy:
        if busy.everyone:
            raise proof.ProofFailed(N_("Too many ownership checks are running right now; "
                                       "please try again in a minute.")) from None
        raise proof.ProofFailed(N_("Your previous ownership check is still running; wait for it to finish.")) from None
    except proof.ProofFailed as failure:
        challenge.last_error = failure.message[:300]
        db.session.commit()
        raise
    except FetchError as error:
        current_app.logger.info("domain check for %s refused: %s", challenge.domain, error.detail)
        challenge.last_error = error.message[:300]
        db.session.commit()
        raise proof.ProofFailed(error.message, **error.variables) from None


def _fetch_slot(challenge, account_id):
    """A slot for a check that fetches (every method but the email code); entering it raises Busy when none is free."""
    if challenge.method == proof.EMAIL:
        return nullcontext()
    config = current_app.config
    return FETCH_SLOTS.hold(account_id, total=config["SEAL_PROOF_CHECKS_RUNNING"],
                            per_key=config["SEAL_PROOF_CHECKS_PER_ACCOUNT"])


def _run(challenge, code):
    domain, token, config = challenge.domain, challenge.token, current_app.config
    if challenge.method == proof.EMAIL:
        salt, _, digest = challenge.token.partition(":")
        typed = "".join(ch for ch in str(code or "") if not ch.isspace())
        typed = to_latin_digits(typed)
        if not (len(typed) == 6 and typed.isascii() and typed.isdigit()):
            raise proof.ProofFailed(N_("The code has 6 digits."))
        if not signing.verify_code_digest(digest, _email_code_text(salt, typed), length=EMAIL_DIGEST_CHARS):
            raise proof.ProofFailed(N_("This code is not right."))
        return
    if challenge.method == proof.DNS:
        servers = [s.strip() for s in (config.get("SEAL_DNS_NAMESERVERS") or "").split(",") if s.strip()]
        name = f"{proof.DNS_LABEL}.{domain}"
        records = proof.txt_records(domain, nameservers=servers or None, port=config.get("SEAL_DNS_PORT", 53))
        proof.check_txt(records, token, name)
        return
    fetcher = fetcher_from_config(config)
    if challenge.method == proof.FILE:
        last = None
        for path in proof.file_paths(token):
            result = proof.fetch_page(fetcher, domain, path)
            if result.status == 200:
                if result.truncated:
                    raise proof.ProofFailed(N_("The file is larger than 256 KB; it must hold only the code."))
                proof.check_file_body(result.body, token)
                return
            last = result.status
        raise proof.ProofFailed(N_("The file was not found on the site (status %(status)s)."), status=last)
    page = proof.fetch_page(fetcher, domain)
    if page.status != 200:
        raise proof.ProofFailed(N_("The home page answered with status %(status)s."), status=page.status)
    html = page.text()
    if challenge.method == proof.META:
        proof.check_meta(html, token)
    else:
        proof.check_title(html, token)
