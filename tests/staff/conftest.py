"""Staff helpers: a settable console clock, enrolled staff members, signed-in staff clients."""
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from seal_server import clock as clock_module
from seal_server.extensions import db
from seal_server.staff import service, totp
from seal_server.staff.models import Staff
from tests.accounts.conftest import csrf_from

PASSWORD = "correct horse battery staple"
ADMIN_CODE, REVIEWER_CODE, SUPERVISOR_CODE, SUPPORT_CODE, ARBITER_CODE = (
    "0084575948", "0067749828", "0010350829", "0075076438", "0040001113")


class Clock:
    """The console's `now`: starts at the real time and moves only when a test says so."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moment = Clock(clock_module.utcnow())
    monkeypatch.setattr(clock_module, "utcnow", moment)
    return moment


@dataclass
class Member:
    id: int
    national_code: str
    secret: str
    recovery: list

    def code(self, app, at):
        """A code the authenticator shows at `at`, newer than the last one the server accepted."""
        with app.app_context():
            last = db.session.get(Staff, self.id).totp_last_step
        step = max(int(at.timestamp()) // totp.STEP_SECONDS, (last or 0) + 1)
        return totp.code_at(self.secret, step * totp.STEP_SECONDS)


def enrol(app, national_code, roles, now, name="Staff member"):
    """Create and enrol a staff member directly through the service; returns a Member."""
    with app.app_context():
        staff, token = service.create_staff(national_code, name, roles, now=now, actor="cli")
        codes = service.complete_enrolment(token, PASSWORD, PASSWORD, totp.code_at(staff.totp_secret, now), now=now)
        return Member(staff.id, staff.national_code, staff.totp_secret, codes)


def sign_in(client, member, now, code=None, password=PASSWORD, lang=""):
    page = client.get("/staff/sign-in" + lang)
    return client.post("/staff/sign-in" + lang, data={
        "csrf_token": csrf_from(page), "national_code": member.national_code, "password": password,
        "code": code if code is not None else member.code(client.application, now)})


@pytest.fixture
def site():
    """A local web server standing in for the applicant's site."""
    from tests.onboarding.servers import Site

    server = Site()
    yield server
    server.close()


@pytest.fixture
def staff_client(app, clock):
    """make(roles) -> (client signed in as a new staff member with those roles, Member)."""
    codes = iter((ADMIN_CODE, REVIEWER_CODE, SUPERVISOR_CODE, SUPPORT_CODE, ARBITER_CODE))

    def make(*roles, national_code=None):
        member = enrol(app, national_code or next(codes), list(roles), clock.now, name=f"{'-'.join(roles)} person")
        client = app.test_client()
        response = sign_in(client, member, clock.now)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, member
    return make


def token_of(client, path):
    return csrf_from(client.get(path))


def enrol_token(url):
    return re.search(r"/staff/enrol/([A-Za-z0-9_\-]+)", url).group(1)
