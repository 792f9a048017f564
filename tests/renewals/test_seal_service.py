"""The seal service's doors added for the seal's life: renew_seal and change_kind keep the id and the code."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.seals import service
from tests.factories import issue

SHOP = {"Referer": "https://shop.example/"}


def test_gray_to_one_star_keeps_the_id_and_the_code(app, ctx, client, now):
    seal = issue(now=now - timedelta(days=1), kind="gray")
    before = service.urls_for(seal)
    service.change_kind(seal.public_id, kind="standard", stars=1, now=now, actor="test", reason="upgrade")
    assert (seal.kind, seal.stars, service.urls_for(seal)) == ("standard", 1, before)
    badge = client.get(before["badge_url"].replace("http://seal.test", ""), headers=SHOP)
    assert badge.headers["X-Seal-State"] == "valid"
    event = db.session.scalar(select(Event).where(Event.kind == "seal.stars_changed"))
    assert event.payload["before"] == {"kind": "gray", "stars": 0}
    assert event.payload["after"] == {"kind": "standard", "stars": 1}
    with pytest.raises(service.InvalidTransition):  # a second click changes nothing
        service.change_kind(seal.public_id, kind="standard", stars=1, now=now, actor="test")


@pytest.mark.parametrize("kind, stars", [("gray", 1), ("standard", 6), ("gold", 1)])
def test_a_kind_and_stars_that_do_not_go_together_are_refused(ctx, now, kind, stars):
    seal = issue(now=now, kind="gray")
    with pytest.raises(service.SealError):
        service.change_kind(seal.public_id, kind=kind, stars=stars, now=now, actor="test")
    db.session.refresh(seal)
    assert (seal.kind, seal.stars) == ("gray", 0)


def test_a_revoked_seal_is_neither_renewed_nor_changed(ctx, now):
    seal = issue(now=now)
    service.revoke(seal.public_id, now=now, actor="test", reason="fraud")
    with pytest.raises(service.InvalidTransition):
        service.renew_seal(seal.public_id, expected_expires_at=seal.expires_at,
                           new_expires_at=seal.expires_at + timedelta(days=730), now=now, actor="test")
    with pytest.raises(service.InvalidTransition):
        service.change_kind(seal.public_id, kind="standard", stars=2, now=now, actor="test")


def test_renewing_with_a_stale_expiry_changes_nothing(ctx, now):
    seal = issue(now=now)
    stale = seal.expires_at - timedelta(days=1)
    with pytest.raises(service.InvalidTransition):
        service.renew_seal(seal.public_id, expected_expires_at=stale, new_expires_at=stale + timedelta(days=800),
                           now=now, actor="test")
    db.session.rollback()
    db.session.refresh(seal)
    assert seal.expires_at == now + timedelta(days=730)
