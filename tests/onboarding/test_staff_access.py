"""Staff may read any application; only its owner may change it."""
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.extensions import db
from tests.accounts.conftest import csrf_from, sign_in
from tests.onboarding.conftest import NATURAL, OTHER_CODE, OTHER_MOBILE, new_application


def test_staff_can_look_but_not_change(app, owner):
    application_id = new_application(owner)
    staff_client = app.test_client()
    sign_in(staff_client, OTHER_CODE, OTHER_MOBILE)
    with app.app_context():
        staff = db.session.scalar(select(Account).where(Account.national_code == OTHER_CODE))
        staff.is_staff = True
        db.session.commit()
    path = f"/panel/applications/{application_id}/identity"
    page = staff_client.get(path)
    assert page.status_code == 200
    token = csrf_from(page)
    assert staff_client.post(path, data={"csrf_token": token, **NATURAL}).status_code == 404
    assert staff_client.post(f"/panel/applications/{application_id}/delete",
                             data={"csrf_token": token}).status_code == 404
    assert owner.get(f"/panel/applications/{application_id}").status_code == 200
