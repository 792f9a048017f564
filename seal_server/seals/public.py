"""The public fields of a seal, as the API, webhooks and signed status show them."""
from . import rules, service
from .record import record_for


def seal_json(seal, now):
    urls = service.urls_for(seal)
    business = seal.business
    return {
        "id": seal.public_id,
        "domain": seal.domain,
        "name_fa": business.name_fa,
        "name_en": business.name_en,
        "owner": business.owner.display_name,
        "kind": seal.kind,
        "stars": seal.stars,
        "status": rules.effective_status(seal.status, seal.expires_at, now),
        "issued_at": seal.issued_at.isoformat(),
        "expires_at": seal.expires_at.isoformat(),
        "days_left": rules.days_left(seal.expires_at, now),
        "verify_url": urls["verify_url"],
        "badge_url": urls["badge_url"],
        "record": record_for(seal),
    }
