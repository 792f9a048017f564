"""Conformity helpers: an owner signed in to a client, owning a sealed business."""
import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.extensions import db
from tests.accounts.conftest import NATIONAL_CODE, csrf_from, sign_in
from tests.factories import issue
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def owner(app, clock):  # noqa: F811
    """(client signed in as the owner, the seal's public id)."""
    client = app.test_client()
    sign_in(client)
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.national_code == NATIONAL_CODE))
        seal = issue("shop.example", now=clock.now)
        seal.business.owner.account_id = account.id
        db.session.commit()
        return client, seal.public_id


def post_form(client, path, data, **kwargs):
    data = {"csrf_token": csrf_from(client.get(path)), **data}
    return client.post(path, data=data, **kwargs)
