"""The `seal-server` command: thin wrappers over the services."""
import copy
import json
import sys

import click
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .clock import parse_iso, utcnow
from .config import ConfigError
from .domains import DomainError, normalize_domain
from .events.actors import CLI_ACTOR
from .extensions import db


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def cli():
    """Run and operate the trust-seal authority."""


def _guarded_run_command():
    """Flask's `run`, refusing the public development key on a non-loopback host."""
    from flask.cli import ScriptInfo, run_command

    from .config import check_bind

    command = copy.copy(run_command)
    serve = run_command.callback

    @click.pass_context
    def guarded(ctx, **options):
        app = ctx.ensure_object(ScriptInfo).load_app()
        check_bind([f"[{options['host']}]" if ":" in options["host"] else options["host"]],
                   app.config["SEAL_SECRET_KEYS"])
        return ctx.invoke(serve, **options)

    command.callback = guarded
    return command


cli.add_command(_guarded_run_command(), "run")


def _when(value):
    if value is None:
        return utcnow()
    try:
        return parse_iso(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-11-23T10:00:00+03:30")


@cli.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database is up to date")


@cli.command("demo")
@with_appcontext
def demo():
    """Load demo seals in every state and print their snippets."""
    from flask import current_app

    from .demo import DEMO_PROVIDER, load_demo, load_demo_provider, shop_url
    from .seals.service import snippet

    made = load_demo(utcnow())
    for key, seal in made:
        click.echo(f"# {key}: {seal.domain} ({seal.status}) - demo shop page: {shop_url(seal)}")
        click.echo(snippet(seal))
        click.echo()
    token = load_demo_provider(made, utcnow())
    if token:
        gray = dict(made)["gray"]
        click.echo(f"# payment provider {DEMO_PROVIDER} serves {gray.domain}; its token (shown once): {token}")
        click.echo(f"curl -H 'Authorization: Bearer {token}' {current_app.config['SEAL_BASE_URL']}/api/v1/psp/merchants/{gray.domain}")


@cli.command("issue")
@click.option("--domain", required=True, help="The shop's registered domain.")
@click.option("--name-fa", required=True, help="Business name in Persian.")
@click.option("--name-en", default="", help="Business name in Latin letters.")
@click.option("--owner", required=True, help="Owner's full name, or the company name with --legal.")
@click.option("--legal", is_flag=True, help="The owner is a company.")
@click.option("--kind", type=click.Choice(["standard", "gray", "temporary"]), default="standard")
@click.option("--stars", type=click.IntRange(0, 5), default=None)
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Validity in days.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, code, snippet, verify_url, badge_url}.")
@click.option("--allow-local", is_flag=True, help="Accept localhost or an IP address as the domain (demos and tests).")
@click.option("--email", default=None, help="The business email: expiry reminders and notices go there.")
@click.option("--mobile", default=None, help="The owner's mobile (09xxxxxxxxx): reminders by SMS.")
@with_appcontext
def issue(domain, name_fa, name_en, owner, legal, kind, stars, days, as_json, allow_local, email, mobile):
    """Issue a seal directly (operator use)."""
    from .accounts.models import LEGAL, NATURAL, Owner
    from .seals import service
    from .seals.models import Business

    try:
        domain = normalize_domain(domain, allow_local=allow_local)
    except DomainError as error:
        raise click.BadParameter(str(error), param_hint="--domain")
    if not owner.strip() or not name_fa.strip():
        raise click.BadParameter("must not be empty", param_hint="--owner/--name-fa")
    email, mobile = _contact_options(email, mobile)
    if legal:
        person = Owner(kind=LEGAL, company_name=owner.strip(), mobile=mobile)
    else:
        first, _, last = owner.strip().rpartition(" ")
        person = Owner(kind=NATURAL, first_name=first or last, last_name=last if first else "", mobile=mobile)
    business = Business(owner=person, name_fa=name_fa.strip(), name_en=name_en.strip(), domain=domain, email=email)
    db.session.add(business)
    seal = service.issue_seal(business, now=utcnow(), actor=CLI_ACTOR, kind=kind, stars=stars, days=days)
    urls = service.urls_for(seal)
    result = {"id": seal.public_id, "code": urls["code"], "snippet": str(service.snippet(seal)),
              "verify_url": urls["verify_url"], "badge_url": urls["badge_url"]}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(f"issued seal {seal.public_id} for {domain}, valid until {seal.expires_at.date()}")
        click.echo(result["snippet"])


def _contact_options(email, mobile):
    from .iran.identifiers import clean_mobile
    from .onboarding.contact import clean_email

    try:
        mobile = clean_mobile(mobile) if mobile is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--mobile")
    try:
        email = clean_email(email) if email is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--email")
    return email, mobile


@cli.command("approve")
@click.argument("application_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print {application, id, code, snippet, tax_tracking_code}.")
@with_appcontext
def approve(application_id, as_json):
    """Approve a submitted application: create its business and issue its seal (once)."""
    from .onboarding.issuance import ApprovalError
    from .onboarding.issuance import approve as approve_application
    from .seals import service

    try:
        application, seal = approve_application(application_id, now=utcnow(), actor=CLI_ACTOR)
    except ApprovalError as error:
        raise click.ClickException(str(error)) from None
    urls = service.urls_for(seal)
    if as_json:
        click.echo(json.dumps({"application": application.id, "id": seal.public_id, "code": urls["code"],
                               "snippet": str(service.snippet(seal)),
                               "tax_tracking_code": application.tax_tracking_code}, ensure_ascii=False))
    else:
        click.echo(f"approved application {application.id}: {seal.kind} seal {seal.public_id} for {seal.domain}, "
                   f"valid until {seal.expires_at.date()}")


@cli.command("create-staff")
@click.option("--national-code", required=True, help="The staff member's national code.")
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", "roles", required=True, multiple=True,
              type=click.Choice(["reviewer", "supervisor", "arbiter", "support", "admin"]),
              help="A role; repeat for several.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, enrol_url, expires_at}.")
@with_appcontext
def create_staff(national_code, name, roles, as_json):
    """Create a staff member (the first admin) and print their one-time enrolment link."""
    from flask import current_app

    from .staff import service

    try:
        staff, token = service.create_staff(national_code, name, roles, now=utcnow(), actor="cli")
    except service.StaffError as error:
        raise click.ClickException(error.message % error.variables if error.variables else error.message) from None
    url = f"{current_app.config['SEAL_BASE_URL']}/staff/enrol/{token}"
    if as_json:
        click.echo(json.dumps({"id": staff.id, "enrol_url": url, "expires_at": staff.enrol_expires_at.isoformat()}))
    else:
        click.echo(f"staff member {staff.id} ({', '.join(staff.roles)}) created; the one-time enrolment link "
                   f"(valid until {staff.enrol_expires_at.isoformat()}):")
        click.echo(url)


def _lifecycle(action, public_id, reason):
    from .seals import service

    door = {"suspend": service.suspend, "reinstate": service.reinstate, "revoke": service.revoke}[action]
    seal = door(public_id, now=utcnow(), actor=CLI_ACTOR, reason=reason)
    click.echo(f"seal {seal.public_id} is now {seal.status}")


@cli.command("suspend")
@click.argument("public_id")
@click.option("--reason", required=True)
@with_appcontext
def suspend(public_id, reason):
    """Suspend an active seal."""
    _lifecycle("suspend", public_id, reason)


@cli.command("reinstate")
@click.argument("public_id")
@click.option("--reason", default=None)
@with_appcontext
def reinstate(public_id, reason):
    """Reinstate a suspended seal."""
    _lifecycle("reinstate", public_id, reason)


@cli.command("revoke")
@click.argument("public_id")
@click.option("--reason", required=True)
@with_appcontext
def revoke(public_id, reason):
    """Revoke a seal for good."""
    _lifecycle("revoke", public_id, reason)


@cli.command("tick")
@click.option("--now", "now_text", default=None, help="ISO 8601 time to run the clock at (default: now).")
@with_appcontext
def tick(now_text):
    """Run everything that is due: expiry, deadlines, reminders, outbox."""
    from .tasks import tick as run_tick

    click.echo(json.dumps(run_tick(_when(now_text)), ensure_ascii=False))


@cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now and run the queued domain checks, then exit.")
@click.option("--poll", type=click.FloatRange(0.1, 60), default=1.0, help="Seconds between looks at the outbox.")
@with_appcontext
def worker_command(once, poll):
    """Deliver due email, SMS and webhooks and run queued domain checks; several workers may run at once."""
    import logging

    from .events import worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    done = worker.run(utcnow, once=once, poll=poll)
    if once:
        click.echo(json.dumps(done))


@cli.command("outbox")
@click.option("--dead", "view", flag_value="dead", help="Deliveries that gave up.")
@click.option("--failed", "view", flag_value="failed", help="Deliveries waiting to be retried after a failure.")
@click.option("--retry", "retry_id", type=int, default=None, help="Send this delivery again now.")
@with_appcontext
def outbox(view, retry_id):
    """The operators' view of deliveries: pending (default), failed or dead; retry one."""
    from .events import admin

    if retry_id is not None:
        try:
            delivery = admin.retry(retry_id, now=utcnow(), actor=CLI_ACTOR)
        except admin.NotRetryable as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"delivery {delivery.id} will be sent again")
        return
    click.echo(json.dumps(admin.counts()))
    for delivery in admin.listing(view or "pending"):
        click.echo(f"{delivery.id}\t{delivery.status}\t{delivery.channel}\t{delivery.recipient}\t"
                   f"{delivery.event.kind}\tattempts={delivery.attempts}\tnext={delivery.next_attempt_at.isoformat()}"
                   f"\t{delivery.last_error or ''}")


@cli.group("webhook")
def webhook():
    """Webhook endpoints of seals."""


@webhook.command("add")
@click.option("--seal", "public_id", required=True, help="The seal's public id.")
@click.option("--url", required=True)
@click.option("--events", default="", help="Comma-separated event kinds (default: every seal.* kind).")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "secret"}.')
@with_appcontext
def webhook_add(public_id, url, events, as_json):
    """Register a webhook endpoint for a seal; prints its secret once."""
    from .events import webhooks
    from .i18n import language
    from .seals.service import get_seal

    seal = get_seal(public_id)
    kinds = [kind.strip() for kind in events.split(",") if kind.strip()]
    try:
        endpoint, secret = webhooks.add_endpoint(seal, url, kinds, now=utcnow(), actor=CLI_ACTOR)
    except webhooks.WebhookError as error:
        with language("en"):
            raise click.BadParameter(str(error), param_hint="--url/--events") from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"id": endpoint.id, "secret": secret}))
    else:
        click.echo(f"webhook {endpoint.id} for seal {seal.public_id}: {endpoint.url}\nsecret (shown once): {secret}")


@cli.group("provider")
def provider_group():
    """Payment providers: their API tokens (reports of gray volumes, merchants' status)."""


def _provider_error(error):
    return click.ClickException(error.message % error.variables if error.variables else error.message)


def _print_token(provider, token, as_json, verb):
    if as_json:
        click.echo(json.dumps({"id": provider.id, "name": provider.name, "token": token}))
    else:
        click.echo(f"provider {provider.name} {verb}\ntoken (shown once): {token}")


@provider_group.command("add")
@click.argument("name")
@click.option("--contact", default=None, help="How to reach the provider's technical team (default: the name).")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "name", "token"}.')
@with_appcontext
def provider_add(name, contact, as_json):
    """Register a payment provider; prints its token once."""
    from .providers import service

    try:
        provider, token = service.register(name, contact or name, now=utcnow(), actor=CLI_ACTOR)
    except service.ProviderError as error:
        raise _provider_error(error) from None
    _print_token(provider, token, as_json, "registered")


@provider_group.command("rotate")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "name", "token"}.')
@with_appcontext
def provider_rotate(name, as_json):
    """Give a provider a new token; the old one stops at once."""
    from .providers import service

    try:
        provider = service.get(name=name)
        token = service.rotate(provider, now=utcnow(), actor=CLI_ACTOR)
    except service.ProviderError as error:
        raise _provider_error(error) from None
    _print_token(provider, token, as_json, "has a new token")


@provider_group.command("disable")
@click.argument("name")
@with_appcontext
def provider_disable(name):
    """Stop a provider's token; its bindings and reports stay on record."""
    from .providers import service

    try:
        service.disable(service.get(name=name), now=utcnow(), actor=CLI_ACTOR)
    except service.ProviderError as error:
        raise _provider_error(error) from None
    click.echo(f"provider {name} disabled")


@provider_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@with_appcontext
def provider_list(as_json):
    """Every provider: name, status, shops served, shops whose owners dispute it (never a token)."""
    from .providers import service

    rows = []
    for p in service.all_providers():
        disputed = sum(1 for binding in p.merchants if binding.disputed_at is not None)
        rows.append({"id": p.id, "name": p.name, "contact": p.contact, "merchants": len(p.merchants) - disputed,
                     "disputed": disputed, "status": "disabled" if p.disabled_at else "active",
                     "created_at": p.created_at.isoformat()})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['name']}\t{row['status']}\tmerchants={row['merchants']}\tdisputed={row['disputed']}\t"
                   f"{row['contact']}")


@provider_group.command("import-env")
@with_appcontext
def provider_import_env():
    """Register the providers of the retired SEAL_GRAY_REPORT_TOKENS, keeping their tokens and merchants."""
    from flask import current_app

    from .providers import service

    value = current_app.config.get("SEAL_GRAY_REPORT_TOKENS")
    if not value:
        raise click.ClickException("SEAL_GRAY_REPORT_TOKENS is not set; nothing to import")
    try:
        done = service.import_env(value, now=utcnow(), actor=CLI_ACTOR)
    except service.ProviderError as error:
        raise _provider_error(error) from None
    for name, bound in done:
        click.echo(f"{name}\t" + ("already registered" if bound is None else f"registered, {bound} merchants bound"))


@cli.group("audit")
def audit_group():
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check the audit hash chain; exit 1 at the first broken row."""
    from .audit import verify_chain

    checked, broken = verify_chain()
    if broken is not None:
        click.echo(f"broken at row {broken} (after {checked} good rows)", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"ok {checked} rows")


@cli.group("keys")
def keys():
    """Status-signing keys (SEAL_STATUS_KEYS)."""


@keys.command("new", with_appcontext=False)
def keys_new():
    """Print a fresh Ed25519 status-signing seed; append it to SEAL_STATUS_KEYS (newest last)."""
    from .signing import new_status_seed

    click.echo(new_status_seed())


@cli.command("synth")
@click.option("--seals", "count", type=click.IntRange(1, 5_000_000), required=True,
              help="How many synthetic active seals to add (each with an owner and a business).")
@with_appcontext
def synth(count):
    """Add synthetic seals for benchmarks, in set-based SQL; refused in production."""
    import time

    from flask import current_app

    from .seals.synth import SynthError, synthesize

    started = time.monotonic()
    try:
        first, last = synthesize(count, now=utcnow(), env=current_app.config["SEAL_ENV"])
    except SynthError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps({"seals": count, "first_row": first, "last_row": last,
                           "seconds": round(time.monotonic() - started, 1)}))


def main(argv=None):
    """Entry point: errors are one line on stderr and a non-zero exit, never a traceback."""
    from .seals.service import SealError

    try:
        code = cli.main(args=argv, prog_name="seal-server", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        click.echo("seal-server: aborted", err=True)
        return 1
    except click.ClickException as error:
        click.echo(f"seal-server: {error.format_message()}", err=True)
        return error.exit_code
    except (SealError, ConfigError) as error:
        click.echo(f"seal-server: {error}", err=True)
        return 1
    except SQLAlchemyError as error:
        first_line = str(error).splitlines()[0]
        click.echo(f"seal-server: database error ({first_line}); has 'seal-server init-db' been run?", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
