"""Payment providers: registration and tokens (staff, CLI), binding merchants and reading their status (the API).

A token is shown once, at registration or rotation; only its digest is stored. Rotation ends the
old token at once (a provider rotates because a token leaked; a grace period would keep the leak
open), so the provider installs the new token before it rotates again. A disabled provider's
token stops working; its bindings stay on record.

Seal ids and domains are public, so any provider can bind any seal. The owner's remedy is a dispute
("this provider does not serve my shop"): the binding serves nothing any more, the provider's reports
for that seal stop counting, and it cannot bind the seal again until staff clear the dispute.
"""
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signing
from ..domains import DomainError, normalize_domain
from ..events import Actor, emit
from ..extensions import db
from ..marks import N_
from ..onboarding import gray
from ..seals import rules as seal_rules
from ..seals.models import GRAY, Seal
from ..staff.service import StaffError
from .models import PaymentProvider, ProviderMerchant

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
MAX_CONTACT = 200


class ProviderError(StaffError):
    """A refusal for staff or an operator: `message` is a msgid, `field` the form field it belongs to."""


class ApiError(Exception):
    """A refusal for a provider's developers (English, JSON), with its HTTP status."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


DISPUTED = ("the shop's owner said this provider does not serve it; it cannot be bound again until the "
            "authority clears the dispute: contact the trust seal authority")
NOT_SERVED = "this provider has not bound a merchant with this domain; bind it first: POST /api/v1/psp/merchants"


def clean_name(name):
    name = (name or "").strip().lower()
    if not _NAME.fullmatch(name):
        raise ProviderError(N_("A provider's name is 2 to 40 Latin letters, digits, '-' or '_', such as "
                               "\"mellat\"."), "name")
    return name


def all_providers():
    return db.session.scalars(select(PaymentProvider).order_by(PaymentProvider.name)).all()


def get(provider_id=None, name=None):
    """The provider by id or by name; ProviderError when there is none."""
    if name is not None:
        provider = db.session.scalar(select(PaymentProvider).where(PaymentProvider.name == (name or "").strip().lower()))
    else:
        provider = db.session.get(PaymentProvider, provider_id)
    if provider is None:
        raise ProviderError(N_("No such payment provider."))
    return provider


def register(name, contact, *, now, actor, token=None):
    """A new provider and its token (shown once). Commits.

    `token` keeps a provider's existing token (import-env of the retired SEAL_GRAY_REPORT_TOKENS).
    """
    name = clean_name(name)
    if token is not None and len(token) < 16:
        raise ProviderError(N_("The token must be at least 16 characters."), "token")
    contact = " ".join((contact or "").split())
    if not contact:
        raise ProviderError(N_("Write how to reach the provider's technical team (an email or a phone number)."),
                            "contact")
    if len(contact) > MAX_CONTACT:
        raise ProviderError(N_("Keep the contact under %(count)s characters."), "contact", count=MAX_CONTACT)
    if db.session.scalar(select(PaymentProvider.id).where(PaymentProvider.name == name)):
        raise ProviderError(N_("A provider with this name is already registered."), "name")
    token = token or signing.new_provider_token()
    provider = PaymentProvider(name=name, contact=contact, token_digest=signing.provider_token_digest(token),
                               created_at=now)
    db.session.add(provider)
    try:
        db.session.flush()
    except IntegrityError:  # a twin registered the same name just now
        db.session.rollback()
        raise ProviderError(N_("A provider with this name is already registered."), "name") from None
    emit("provider.registered", provider, {"name": name}, actor, now=now, after={"name": name, "contact": contact})
    db.session.commit()
    return provider, token


def rotate(provider, *, now, actor):
    """A new token for `provider`; the old one stops at once. Commits; returns the new token."""
    if provider.disabled_at is not None:
        raise ProviderError(N_("This provider is disabled."))
    token = signing.new_provider_token()
    provider.token_digest, provider.rotated_at = signing.provider_token_digest(token), now
    emit("provider.token_rotated", provider, {"name": provider.name}, actor, now=now)
    db.session.commit()
    return token


def disable(provider, *, now, actor):
    """The provider's token stops working; its bindings and reports stay on record. Commits."""
    if provider.disabled_at is not None:
        raise ProviderError(N_("This provider is disabled."))
    provider.disabled_at = now
    emit("provider.disabled", provider, {"name": provider.name}, actor, now=now)
    db.session.commit()


def authenticate(token):
    """The enabled provider holding this token, else None."""
    if not token or len(token) > 200:
        return None
    digest = signing.provider_token_digest(token)
    provider = db.session.scalar(select(PaymentProvider).where(PaymentProvider.token_digest == digest))
    if provider is None or provider.disabled_at is not None or not signing.provider_token_matches(
            provider.token_digest, token):
        return None
    return provider


ACTIVE = ProviderMerchant.disputed_at.is_(None)


def serves(provider, seal):
    return db.session.scalar(select(ProviderMerchant.id).where(
        ProviderMerchant.provider_id == provider.id, ProviderMerchant.seal_id == seal.id, ACTIVE)) is not None


def _domain(text):
    """The domain as seals store it (no www.), or None when `text` is not one: no seal names it."""
    if not isinstance(text, str) or len(text) > 253:
        return None
    try:
        return normalize_domain(text, allow_local=True).removeprefix("www.")
    except DomainError:
        return None


def binding_json(binding):
    return {"domain": binding.seal.domain, "seal_id": binding.seal.public_id,
            "bound_at": binding.created_at.isoformat()}


def bind(provider, payload, *, now):
    """Record that `provider` serves the merchant of {domain, seal_id}; (binding, created). Idempotent. Commits."""
    if not isinstance(payload, dict):
        raise ApiError("send a JSON object: {domain, seal_id}")
    seal_id = payload.get("seal_id")
    if not isinstance(seal_id, str):
        raise ApiError("seal_id must be the seal's public id, from the shop's snippet")
    seal = db.session.scalar(select(Seal).where(Seal.public_id == seal_id)) \
        if seal_rules.is_public_id(seal_id) else None
    if seal is None:
        raise ApiError("no seal with this seal_id", 404)
    if not isinstance(payload.get("domain"), str):
        raise ApiError("domain must be the merchant's domain name, such as shop.example")
    if _domain(payload["domain"]) != seal.domain.removeprefix("www."):
        raise ApiError("this seal was issued for another domain; send the domain the seal names", 409)
    return bind_seal(provider, seal, now=now)


def bind_seal(provider, seal, *, now):
    """(binding, created) of `provider` and `seal`; the owner is told of a new one. Commits.

    ApiError 409 when the owner disputed this provider's binding and staff have not cleared it."""
    existing = db.session.scalar(select(ProviderMerchant).where(
        ProviderMerchant.provider_id == provider.id, ProviderMerchant.seal_id == seal.id))
    if existing is not None:
        if existing.disputed_at is not None:
            raise ApiError(DISPUTED, 409)
        return existing, False
    binding = ProviderMerchant(provider_id=provider.id, seal_id=seal.id, created_at=now)
    db.session.add(binding)
    try:
        db.session.flush()
    except IntegrityError:  # the same bind at the same moment: the twin's row stands
        db.session.rollback()
        return bind_seal(provider, seal, now=now)
    # the owner learns who now serves (and reports on) their shop
    emit("provider.merchant_bound", seal, {"provider": provider.name}, _actor(provider), now=now)
    db.session.commit()
    return binding, True


def _bindings_for(provider, domain):
    """The provider's bindings whose seal names `domain`, newest seal first."""
    if domain is None:
        return []
    return db.session.scalars(select(ProviderMerchant).join(Seal, Seal.id == ProviderMerchant.seal_id).where(
        ProviderMerchant.provider_id == provider.id, ACTIVE,
        Seal.domain.in_((domain, "www." + domain))).order_by(Seal.id.desc())).all()


def unbind(provider, domain, *, now):
    """The provider no longer serves the merchant at `domain` (every seal of it it bound). Commits."""
    bindings = _bindings_for(provider, _domain(domain))
    if not bindings:
        raise ApiError(NOT_SERVED, 403)
    for binding in bindings:
        emit("provider.merchant_unbound", binding.seal, {"provider": provider.name}, _actor(provider), now=now)
        db.session.delete(binding)
    db.session.commit()


def merchants_of(provider, *, disputed=True):
    """The provider's bindings, oldest first; `disputed=False` leaves out the ones an owner disputed."""
    query = select(ProviderMerchant).where(ProviderMerchant.provider_id == provider.id)
    if not disputed:
        query = query.where(ACTIVE)
    return db.session.scalars(query.order_by(ProviderMerchant.id)).all()


def bindings_of_seal(seal):
    return db.session.scalars(select(ProviderMerchant).where(ProviderMerchant.seal_id == seal.id)
                              .order_by(ProviderMerchant.id)).all()


def dispute(seal, binding_id, account, *, now):
    """The owner of `seal` says the provider of this binding does not serve the shop. Commits.

    The binding stays on record as disputed: it serves nothing, its provider's reports for the seal stop
    counting (a month they pushed over the cap is no longer flagged) and the provider cannot bind the
    seal again until staff clear the dispute. ProviderError when there is no such live binding."""
    binding = db.session.scalar(select(ProviderMerchant).where(
        ProviderMerchant.id == binding_id, ProviderMerchant.seal_id == seal.id, ACTIVE))
    if binding is None:
        raise ProviderError(N_("This payment provider no longer serves your shop."))
    binding.disputed_at, binding.disputed_by = now, account.id
    db.session.flush()
    gray.refresh_flags(seal, now)
    emit("provider.binding_disputed", seal, {"provider": binding.provider.name}, f"owner:{account.id}", now=now,
         after={"provider": binding.provider.name, "disputed_at": now.isoformat()})
    db.session.commit()
    return binding


def clear_dispute(provider, binding_id, *, now, actor):
    """Staff end an owner's dispute of `provider`: the disputed binding is deleted, so the provider may bind
    the seal again (and the owner is told again when it does). Commits."""
    binding = db.session.scalar(select(ProviderMerchant).where(
        ProviderMerchant.id == binding_id, ProviderMerchant.provider_id == provider.id,
        ProviderMerchant.disputed_at.is_not(None)))
    if binding is None:
        raise ProviderError(N_("No such dispute."))
    seal = binding.seal
    emit("provider.dispute_cleared", seal, {"provider": provider.name}, actor, now=now,
         before={"provider": provider.name, "disputed_at": binding.disputed_at.isoformat(),
                 "disputed_by": binding.disputed_by})
    db.session.delete(binding)
    db.session.flush()
    gray.refresh_flags(seal, now)
    db.session.commit()


def merchant_status(provider, domain, now):
    """What a gateway needs to know about a merchant the provider serves; ApiError 403 for any other."""
    bindings = _bindings_for(provider, _domain(domain))
    if not bindings:
        raise ApiError(NOT_SERVED, 403)
    seal = bindings[0].seal
    answer = {"domain": seal.domain, "seal_id": seal.public_id, "kind": seal.kind, "stars": seal.stars,
              "status": seal_rules.effective_status(seal.status, seal.expires_at, now),
              "expires_at": seal.expires_at.isoformat(), "gray_volume": None}
    if seal.kind == GRAY:
        month = gray.month_of(now)
        amount, count = gray.month_totals(seal, month)
        answer["gray_volume"] = {"month": month, "amount_rials": amount, "transactions": count,
                                 "limit_amount_rials": gray.LIMIT_AMOUNT,
                                 "limit_transactions": gray.LIMIT_TRANSACTIONS,
                                 "over_cap": gray.over_limit(amount, count)}
    return answer


def import_env(config_value, *, now, actor):
    """Register each "name:token" of the retired SEAL_GRAY_REPORT_TOKENS with its token, bound to the seals it
    already reported for; [(name, seals bound)]. Names already registered are left alone."""
    from ..onboarding.models import GrayMonthlyVolume

    done = []
    for entry in (config_value or "").split(","):
        name, _, token = entry.strip().partition(":")
        if not name.strip():
            continue
        if db.session.scalar(select(PaymentProvider.id).where(PaymentProvider.name == name.strip().lower())):
            done.append((name.strip().lower(), None))
            continue
        provider, _ = register(name, f"imported from SEAL_GRAY_REPORT_TOKENS ({name})", now=now, actor=actor,
                               token=token.strip())
        seals = db.session.scalars(select(Seal).join(GrayMonthlyVolume, GrayMonthlyVolume.seal_id == Seal.id)
                                   .where(GrayMonthlyVolume.provider == provider.name).distinct()).all()
        for seal in seals:
            bind_seal(provider, seal, now=now)
        done.append((provider.name, len(seals)))
    return done


def report_volume(provider, payload, now):
    """A gray volume report from `provider`, for merchants it bound only."""
    return gray.record(provider.name, payload, now, serves=lambda seal: serves(provider, seal))


def _actor(provider):
    return Actor.system(f"psp:{provider.name}")
