"""A world for the security tests: an owner signed in with a seal, a complaint in arbitration its buyer follows,
a staff member with every console role that matters here, and a payment provider bound to the seal."""
import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.seals.models import Seal
from tests.accounts.conftest import MOBILE, sign_in
from tests.changes.conftest import seal_for
from tests.complaints.conftest import arbitrate
from tests.complaints.test_arbitration import rejected
from tests.factories import payment_provider
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)


@pytest.fixture
def app_config(tmp_path):
    return {"SEAL_UPLOAD_DIR": str(tmp_path / "uploads"), "RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app, client, staff_client):
    """An owner signed in with a seal, a complaint in arbitration the buyer follows, an arbiter and a provider."""
    sign_in(client)
    public_id = seal_for(app)
    now = utcnow()
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        account = db.session.scalar(select(Account).where(Account.mobile == MOBILE))
        complaint = rejected(seal, account, now)
        arbitrate(complaint, now)
        complaint_id, tracking = complaint.id, complaint.tracking_code
        token = payment_provider("mellat", seal, now=now)
    buyer = app.test_client()
    with buyer.session_transaction() as session:
        session["followed_complaint"] = complaint_id
    arbiter, _ = staff_client("arbiter", "admin", "supervisor")
    return dict(owner=client, public_id=public_id, complaint_id=complaint_id, tracking=tracking, buyer=buyer,
                arbiter=arbiter, token=token)
