"""The gray seal's fast path (no reviewer) and the temporary seal's short validity."""
from datetime import timedelta

from sqlalchemy import func, select

from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.onboarding import issuance
from seal_server.onboarding.models import Application
from seal_server.seals.models import Seal
from seal_server.seals.service import urls_for
from seal_server.tasks import tick
from tests.accounts.conftest import csrf_from

from .conftest import BUSINESS, NATURAL, new_application, post_form
from .payflow import walk_to_submitted


def _seal(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        seal = issuance.seal_of(application)
        return application.status, seal and (seal.kind, seal.stars, seal.expires_at - seal.issued_at)


def test_gray_needs_identity_domain_commitment_and_the_micro_fee_and_is_issued_at_once(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, seal_kind="gray"))
    overview = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert overview.count("Not needed for this kind of seal.") == 3  # documents, contact, postal
    response = walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"),
                                 postal=False)
    assert "missing" not in response.headers["Location"]
    status, (kind, stars, validity) = _seal(app, application_id)
    assert (status, kind, stars) == ("approved", "gray", 0)
    assert validity == timedelta(days=app.config["SEAL_VALIDITY_DAYS"])
    page = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "Your seal is issued" in page


def test_gray_without_the_commitment_is_not_submitted(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", NATURAL)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, seal_kind="gray"))
    page = owner.get(f"/panel/applications/{application_id}")
    response = owner.post(f"/panel/applications/{application_id}/submit", data={"csrf_token": csrf_from(page)})
    assert "missing=domain" in response.headers["Location"] and "missing=commitment" in response.headers["Location"]
    assert "missing=contact" not in response.headers["Location"]
    assert _seal(app, application_id) == ("draft", None)


def test_a_gray_application_the_fast_path_could_not_finish_is_approved_by_the_clock(app, owner, monkeypatch):
    application_id = new_application(owner)

    def refuse(*args, **kwargs):
        raise issuance.ApprovalError("the tax id service gave no tracking code (down); nothing was approved")

    monkeypatch.setattr(issuance, "approve", refuse)
    walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"), postal=False)
    assert _seal(app, application_id) == ("submitted", None)
    monkeypatch.undo()
    with app.app_context():
        assert tick(utcnow())["gray_approved"] == [application_id]
        assert tick(utcnow())["gray_approved"] == []
        assert db.session.scalar(select(func.count(Seal.id))) == 1
    assert _seal(app, application_id)[0] == "approved"


def test_a_temporary_seal_waits_for_approval_and_has_the_short_validity(app, owner):
    app.config["SEAL_TEMPORARY_DAYS"] = 45
    application_id = new_application(owner)
    response = walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="temporary"), pay=False)
    assert "missing" not in response.headers["Location"]
    assert _seal(app, application_id) == ("submitted", None)
    with app.app_context():
        issuance.approve(application_id, now=utcnow(), actor="test")
        badge_path = urls_for(db.session.scalars(select(Seal)).one())["badge_url"].replace("http://seal.test", "")
    assert _seal(app, application_id) == ("approved", ("temporary", 0, timedelta(days=45)))
    badge = owner.get(badge_path, headers={"Referer": "https://shop.example/"})
    assert badge.headers["X-Seal-State"] == "valid" and "نماد موقت" in badge.get_data(as_text=True)


def test_a_temporary_seal_has_no_fee(owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, seal_kind="temporary"))
    response = owner.post(f"/panel/applications/{application_id}/payment?lang=en",
                          data={"csrf_token": csrf_from(owner.get("/panel")), "size": "standard"})
    assert response.status_code == 400 and "A temporary seal has no fee" in response.get_data(as_text=True)


def test_a_gray_seal_never_publishes_the_identity_steps_home_address(app, owner, client):
    """The identity step's home address, postal code and landline are private; the gray path skips the contact step."""
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"), postal=False)
    with app.app_context():
        seal = issuance.seal_of(db.session.get(Application, application_id))
        business = seal.business
        assert (business.address, business.postal_code, business.landline) == (None, None, None)
        verify_url = urls_for(seal)["verify_url"].replace(app.config["SEAL_BASE_URL"], "")
    page = client.get(verify_url).get_data(as_text=True)
    for private in ("خیابان آزادی", "۱۵۸۷۶۵۴۳۲۱", "1587654321", "۰۲۱۸۸۷۷۶۶۵۵", "02188776655"):
        assert private not in page


def test_the_migration_unpublishes_identity_data_already_copied_onto_businesses(app, owner):
    """Seals issued before the fix carry the owner's home address; the data migration clears it."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    import seal_server

    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"), postal=False)
    with app.app_context():
        business = issuance.seal_of(db.session.get(Application, application_id)).business
        owner_row = business.owner
        # as the old _business() wrote it
        business.address, business.postal_code, business.landline = (
            owner_row.address, owner_row.postal_code, owner_row.landline)
        db.session.commit()
        assert business.address
        path = next((Path(seal_server.__file__).parent / "migrations" / "versions").glob("c5e8a0d3f4b1_*.py"))
        spec = importlib.util.spec_from_file_location("unpublish", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        with db.engine.begin() as connection:
            with Operations.context(MigrationContext.configure(connection)):
                migration.upgrade()
        db.session.expire_all()
        business = issuance.seal_of(db.session.get(Application, application_id)).business
        assert (business.address, business.postal_code, business.landline) == (None, None, None)
