"""The application steps through the owner's pages: identity, documents, business, dashboard."""
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from seal_server.accounts.models import Account, Owner
from seal_server.extensions import db
from seal_server.onboarding.models import Application, Document
from seal_server.onboarding.service import parse_jalali_date
from tests.accounts.conftest import csrf_from, sign_in
from tests.factories import issue

from .conftest import BUSINESS, CONTACT, NATURAL, OTHER_CODE, OTHER_MOBILE, PDF, PNG, new_application, post_form


def _states(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        return {s.step: s.state for s in application.steps}


def test_dashboard_shows_done_next_and_missing(app, owner):
    application_id = new_application(owner)
    overview = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "Missing: who you are." in overview and "Next step" in overview
    assert _states(app, application_id) == {"identity": "not_started", "documents": "not_started",
                                            "business": "not_started", "domain": "not_started",
                                            "contact": "not_started", "postal": "not_started",
                                            "commitment": "not_started", "payment": "not_started"}
    assert post_form(owner, f"/panel/applications/{application_id}/identity", NATURAL).status_code == 302
    assert post_form(owner, f"/panel/applications/{application_id}/business", BUSINESS).status_code == 302
    assert _states(app, application_id) == {"identity": "done", "documents": "done",
                                            "business": "done", "domain": "not_started",
                                            "contact": "not_started", "postal": "not_started",
                                            "commitment": "not_started", "payment": "not_started"}
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.domain == "shop.example" and application.owns_domain_declared_at is not None
        assert (application.owner.birth_date, application.owner.national_code) == (date(1991, 8, 12), "0013542419")
        assert (application.owner.postal_code, application.owner.landline) == ("1587654321", "02188776655")
    dashboard = owner.get("/panel?lang=en").get_data(as_text=True)
    assert "shop.example" in dashboard and "Proof of domain ownership" in dashboard


def test_identity_errors_keep_what_was_typed(owner):
    application_id = new_application(owner)
    typed = dict(NATURAL, first_name="مریم۲", father_name="", birth_date="1450/01/01")
    response = post_form(owner, f"/panel/applications/{application_id}/identity", typed, lang="?lang=en")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A name cannot contain digits." in body
    assert "Enter your father's name." in body
    assert "The birth date cannot be in the future." in body
    assert 'value="مریم۲"' in body and 'value="1450/01/01"' in body and 'value="احمدی"' in body


@pytest.mark.parametrize("text, message", [
    ("1370/13/01", "This date does not exist in the Jalali calendar."),
    ("1370-05", "Enter the date as year/month/day in the Jalali calendar, such as 1370/05/21."),
    ("70/05/21", "Write the year with four digits, such as 1370."),
    ("1405/09/03", "The birth date cannot be in the future."),
])
def test_bad_birth_dates(text, message):
    with pytest.raises(ValueError) as caught:
        parse_jalali_date(text, today=date(2026, 11, 23))
    assert str(caught.value) == message


def test_jalali_dates_in_any_digits():
    assert parse_jalali_date("١٣٧٠-٠٥-٢١", today=date(2026, 11, 23)) == date(1991, 8, 12)


def test_a_minor_must_upload_a_court_ruling_checked_by_content(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", dict(NATURAL, birth_date="1392/01/01"))
    assert _states(app, application_id)["documents"] == "not_started"
    path = f"/panel/applications/{application_id}/documents"
    page = owner.get(path + "?lang=en")
    assert "Court ruling of maturity" in page.get_data(as_text=True)
    html = (b"<html><script>alert(1)</script></html>", "ruling.pdf")
    refused = owner.post(path + "?lang=en", data={"csrf_token": csrf_from(page), "kind": "court_ruling", "file": (
        io.BytesIO(html[0]), html[1])}, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in refused.get_data(as_text=True)
    accepted = owner.post(path, data={"csrf_token": csrf_from(page), "kind": "court_ruling", "file": (
        io.BytesIO(PDF), "../../etc/ruling.pdf")}, content_type="multipart/form-data")
    assert accepted.status_code == 302
    assert _states(app, application_id)["documents"] == "done"
    with app.app_context():
        document = db.session.scalar(select(Document))
        stored = Path(app.config["SEAL_UPLOAD_DIR"]) / document.storage_key
        assert stored.read_bytes() == PDF and document.original_name == "ruling.pdf"
        assert "static" not in str(stored) and document.storage_key.endswith(".pdf")
        document_id = document.id
    download = owner.get(f"/panel/applications/{application_id}/documents/{document_id}")
    assert download.data == PDF and download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_documents_are_visible_only_to_their_owner_and_staff(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity",
              {"person_kind": "legal", "company_name": "شرکت نمونه", "legal_national_id": "۱۰۳۸۰۲۸۴۷۹۰",
               "registration_number": "12345", "ceo_name": "مریم احمدی", **CONTACT})
    page = owner.get(f"/panel/applications/{application_id}/documents")
    owner.post(f"/panel/applications/{application_id}/documents", data={
        "csrf_token": csrf_from(page), "kind": "gazette", "file": (io.BytesIO(PNG), "g.png")},
        content_type="multipart/form-data")
    overview = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "Missing:" in overview and "Articles of association" in overview and "(if any)" not in overview
    with app.app_context():
        document_id = db.session.scalar(select(Document.id))
    url = f"/panel/applications/{application_id}/documents/{document_id}"
    stranger = app.test_client()
    sign_in(stranger, OTHER_CODE, OTHER_MOBILE)
    assert stranger.get(url).status_code == 404
    with app.app_context():
        db.session.scalar(select(Account).where(Account.national_code == OTHER_CODE)).is_staff = True
        db.session.commit()
    assert stranger.get(url).data == PNG
    assert app.test_client().get(url).status_code == 302


@pytest.mark.parametrize("app_config", [{"SEAL_UPLOAD_MAX_BYTES": 1024 * 1024, "MAX_CONTENT_LENGTH": 4 * 1024 * 1024}])
def test_oversized_uploads_get_a_precise_message(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", dict(NATURAL, birth_date="1392/01/01"))
    path = f"/panel/applications/{application_id}/documents?lang=en"
    page = owner.get(path)
    def upload(size):
        # encoded in memory: the test client would spool a large body to an unclosed temporary file
        boundary, body = encode_multipart({"csrf_token": csrf_from(page), "kind": "court_ruling",
                                           "file": FileStorage(io.BytesIO(PDF + b"0" * size), "big.pdf")})
        return owner.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    big = upload(2 * 1024 * 1024)
    assert big.status_code == 400 and "The file is too large: at most 1 MB." in big.get_data(as_text=True)
    huge = upload(5 * 1024 * 1024)
    assert huge.status_code == 413
    assert "The upload is too large; go back and choose a smaller file." in huge.get_data(as_text=True)


def test_legal_person_check_digits(owner):
    application_id = new_application(owner)
    response = post_form(owner, f"/panel/applications/{application_id}/identity",
                         {"person_kind": "legal", "company_name": "شرکت", "legal_national_id": "10380284791",
                          "registration_number": "12a", "ceo_name": "x1", "postal_code": "0123456789",
                          "landline": "8877 6655", "address": "تهران"}, lang="?lang=en")
    body = response.get_data(as_text=True)
    assert "This postal code is not valid." in body
    assert "A landline number has 11 digits with its area code, such as 02188776655." in body
    assert "Enter the full postal address: province, city, street and number." in body
    assert "This national id is not valid: its check digit does not match." in body
    assert "The registration number is digits only, at most 20." in body
    assert "A name cannot contain digits." in body


@pytest.mark.parametrize("domain, message", [
    ("localhost", "Enter the full domain name, such as shop.ir."),
    ("10.0.0.1", "Enter a domain name, not an IP address."),
    ("co.ir", "This is a public suffix shared by many sites; enter your own domain under it."),
    ("shop..ir", "This is not a domain name."),
])
def test_bad_domains(owner, domain, message):
    application_id = new_application(owner)
    response = post_form(owner, f"/panel/applications/{application_id}/business", dict(BUSINESS, domain=domain),
                         lang="?lang=en")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and f'value="{domain}"' in body


def test_domains_are_normalised_before_saving(app, owner):
    application_id = new_application(owner)
    assert post_form(owner, f"/panel/applications/{application_id}/business",
                     dict(BUSINESS, domain="HTTPS://فروشگاه.ایران:8443/shop?x=1")).status_code == 302
    with app.app_context():
        assert db.session.get(Application, application_id).domain == "xn--mgbtj4c7ad63e.xn--mgba3a4f16a"


def test_one_live_application_or_seal_per_domain(app, owner, now):
    with app.app_context():
        issue("sealed.example", now=now)
    first = new_application(owner)
    sealed = post_form(owner, f"/panel/applications/{first}/business", dict(BUSINESS, domain="sealed.example"),
                       lang="?lang=en")
    assert "This domain already holds a seal." in sealed.get_data(as_text=True)
    assert post_form(owner, f"/panel/applications/{first}/business", BUSINESS).status_code == 302
    second = new_application(owner)
    busy = post_form(owner, f"/panel/applications/{second}/business", BUSINESS, lang="?lang=en")
    assert "Another application for this domain is already in progress." in busy.get_data(as_text=True)
    page = owner.get(f"/panel/applications/{first}")
    assert owner.post(f"/panel/applications/{first}/delete", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert owner.get(f"/panel/applications/{first}").status_code == 404
    assert post_form(owner, f"/panel/applications/{second}/business", BUSINESS).status_code == 302


def test_missing_declaration_and_choices(owner):
    application_id = new_application(owner)
    response = post_form(owner, f"/panel/applications/{application_id}/business",
                         dict(BUSINESS, owns_domain="", category="weapons", sales_method="", name_en="فروشگاه"),
                         lang="?lang=en")
    body = response.get_data(as_text=True)
    for message in ("Only the owner of the domain may apply: confirm that you own it.", "Choose a category.",
                    "Choose how the business sells.", "Write the Latin name in Latin letters."):
        assert message in body


def test_submitting_needs_every_step_and_freezes_the_application(app, owner):
    application_id = new_application(owner)
    page = owner.get(f"/panel/applications/{application_id}")
    response = owner.post(f"/panel/applications/{application_id}/submit", data={"csrf_token": csrf_from(page)})
    missing = owner.get(response.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "Finish these steps before submitting:" in missing
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status = "submitted"  # as if every step were done and submitted
        db.session.commit()
    frozen = post_form(owner, f"/panel/applications/{application_id}/identity", NATURAL, lang="?lang=en")
    assert frozen.status_code == 409
    assert "This application was submitted; it can no longer be changed." in frozen.get_data(as_text=True)


def test_other_accounts_cannot_see_an_application(app, owner):
    application_id = new_application(owner)
    stranger = app.test_client()
    sign_in(stranger, OTHER_CODE, OTHER_MOBILE)
    assert stranger.get(f"/panel/applications/{application_id}").status_code == 404
    token = csrf_from(stranger.get("/panel"))
    response = stranger.post(f"/panel/applications/{application_id}/identity", data=dict(NATURAL, csrf_token=token))
    assert response.status_code == 404


def test_identity_is_reused_for_a_second_application(app, owner):
    first = new_application(owner)
    post_form(owner, f"/panel/applications/{first}/identity", NATURAL)
    second = new_application(owner)
    assert _states(app, second)["identity"] == "done"
    post_form(owner, f"/panel/applications/{second}/identity", dict(NATURAL, first_name="زهرا"))
    with app.app_context():
        names = sorted(o.first_name for o in db.session.scalars(select(Owner)))
        assert names == ["زهرا", "مریم"]


def test_an_operator_can_replace_the_category_list(app, owner, tmp_path):
    listing = tmp_path / "categories.txt"
    listing.write_text("# code | Persian | English\npets | حیوانات خانگی | Pets\nbroken line\n", encoding="utf-8")
    app.config["SEAL_CATEGORIES_FILE"] = str(listing)
    application_id = new_application(owner)
    page = owner.get(f"/panel/applications/{application_id}/business?lang=en").get_data(as_text=True)
    assert '<option value="pets">Pets</option>' in page and 'value="general"' not in page
    assert "حیوانات خانگی" in owner.get(f"/panel/applications/{application_id}/business").get_data(as_text=True)
    refused = post_form(owner, f"/panel/applications/{application_id}/business", BUSINESS, lang="?lang=en")
    assert "Choose a category." in refused.get_data(as_text=True)
    assert post_form(owner, f"/panel/applications/{application_id}/business",
                     dict(BUSINESS, category="pets")).status_code == 302


def test_a_reviewers_rejection_stays_until_the_owner_edits_the_step(app, owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", NATURAL)
    with app.app_context():
        application = db.session.get(Application, application_id)
        rejected = next(s for s in application.steps if s.step == "identity")
        rejected.state, rejected.reason = "rejected", "نام پدر با کارت ملی یکی نیست."
        rejected.updated_at = application.updated_at
        db.session.commit()
    overview = owner.get(f"/panel/applications/{application_id}").get_data(as_text=True)
    assert "نام پدر با کارت ملی یکی نیست." in overview and "step-rejected" in overview
    post_form(owner, f"/panel/applications/{application_id}/identity", dict(NATURAL, father_name="حسن"))
    assert _states(app, application_id)["identity"] == "done"


def test_an_unproven_draft_does_not_park_a_domain(app, owner, now):
    """Another account may apply for a domain someone merely typed; the first to prove it holds it."""
    from tests.accounts.conftest import sign_in as sign_in_other
    from tests.onboarding.conftest import OTHER_CODE, OTHER_MOBILE

    first = new_application(owner)
    assert post_form(owner, f"/panel/applications/{first}/business", BUSINESS).status_code == 302
    rival = app.test_client()
    sign_in_other(rival, OTHER_CODE, OTHER_MOBILE)
    second = new_application(rival)
    assert post_form(rival, f"/panel/applications/{second}/business", BUSINESS).status_code == 302
    with app.app_context():
        proven = db.session.get(Application, first)
        proven.domain_verified_at = now
        db.session.commit()
    third = new_application(rival)
    busy = post_form(rival, f"/panel/applications/{third}/business", BUSINESS, lang="?lang=en")
    assert "Another application for this domain is already in progress." in busy.get_data(as_text=True)
