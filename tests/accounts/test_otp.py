"""One-time codes: single use, expiry, lockout, hashing and the send limits."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server.accounts import service
from seal_server.accounts.models import Account, OtpChallenge
from seal_server.extensions import db
from seal_server.events import worker
from seal_server.notify.models import OutboxMessage

from .conftest import MOBILE, NATIONAL_CODE, last_code

IP = "192.0.2.10"


def _start(now, national_code=NATIONAL_CODE, mobile=MOBILE, ip=IP):
    return service.start_sign_in(national_code, mobile, ip=ip, now=now)


def _message(caught):
    return caught.value.message


def test_a_code_signs_up_once_and_is_stored_only_as_a_hash(ctx, now):
    challenge = _start(now)
    code = last_code()
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64
    account = service.verify_code(challenge.id, code, now=now + timedelta(minutes=9))
    assert (account.national_code, account.mobile) == (NATIONAL_CODE, MOBILE)
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(challenge.id, code, now=now + timedelta(minutes=9))
    assert _message(caught) == "This code was already used; ask for a new one."
    assert db.session.scalar(select(func.count()).select_from(Account)) == 1


def test_persian_digits_in_the_code_are_read(ctx, now):
    challenge = _start(now)
    persian = last_code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert service.verify_code(challenge.id, persian, now=now).national_code == NATIONAL_CODE


def test_an_expired_code_is_refused(ctx, now):
    challenge = _start(now)
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(challenge.id, last_code(), now=now + timedelta(minutes=10))
    assert _message(caught) == "This code has expired; ask for a new one."


def test_five_wrong_tries_lock_the_code(ctx, now):
    challenge = _start(now)
    right = last_code()
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(service.AccountError) as caught:
            service.verify_code(challenge.id, wrong, now=now)
        assert caught.value.variables == {"left": left}
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(challenge.id, wrong, now=now)
    assert _message(caught) == "Too many wrong codes; ask for a new one."
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(challenge.id, right, now=now)
    assert _message(caught) == "Too many wrong codes; ask for a new one."


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_ACCOUNT_TRIES_PER_HOUR": 7, "SEAL_OTP_RESEND_SECONDS": 0}])
def test_wrong_tries_are_capped_per_account_per_hour(ctx, now):
    first = _start(now)
    for _ in range(5):
        with pytest.raises(service.AccountError):
            service.verify_code(first.id, "000000" if last_code() != "000000" else "111111", now=now)
    second = _start(now + timedelta(seconds=1))
    for _ in range(2):
        with pytest.raises(service.AccountError):
            service.verify_code(second.id, "000000" if last_code() != "000000" else "111111", now=now)
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(second.id, last_code(), now=now + timedelta(minutes=1))
    assert _message(caught) == "Too many wrong codes for this account; try again in an hour."
    # an hour after those tries, a new code works again
    third = _start(now + timedelta(minutes=61))
    assert service.verify_code(third.id, last_code(), now=now + timedelta(minutes=62))


def test_a_second_code_within_a_minute_is_refused(ctx, now):
    _start(now)
    with pytest.raises(service.AccountError) as caught:
        _start(now + timedelta(seconds=20))
    assert _message(caught).startswith("A code was just sent to this number")
    assert caught.value.variables == {"seconds": 41}
    assert _start(now + timedelta(seconds=61))


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_RESEND_SECONDS": 0, "SEAL_OTP_SENDS_PER_NUMBER_HOUR": 3}])
def test_sends_per_number_are_limited(ctx, now):
    for minute in range(3):
        _start(now + timedelta(minutes=minute))
    with pytest.raises(service.AccountError) as caught:
        _start(now + timedelta(minutes=3))
    assert _message(caught) == "Too many codes were sent to this number; try again in an hour."
    worker.deliver_due(now + timedelta(minutes=3))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    assert _start(now + timedelta(minutes=61))


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_SENDS_PER_IP_HOUR": 2}])
def test_sends_per_ip_are_limited(ctx, now):
    _start(now, mobile="09120000001")
    _start(now, mobile="09120000002")
    with pytest.raises(service.AccountError) as caught:
        _start(now, mobile="09120000003")
    assert _message(caught) == "Too many codes were asked for from your connection; try again in an hour."
    assert _start(now, mobile="09120000003", ip="192.0.2.99")


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_SENDS_PER_HOUR": 2}])
def test_sends_are_limited_globally(ctx, now):
    _start(now, mobile="09120000001", ip="192.0.2.1")
    _start(now, mobile="09120000002", ip="192.0.2.2")
    with pytest.raises(service.AccountError) as caught:
        _start(now, mobile="09120000003", ip="192.0.2.3")
    assert _message(caught) == "We are sending too many codes right now; please try again later."


def test_a_known_national_code_with_another_mobile_gets_no_sms_and_cannot_pass(ctx, now):
    service.verify_code(_start(now).id, last_code(), now=now)
    intruder = _start(now + timedelta(minutes=2), mobile="09350000000")
    worker.deliver_due(now + timedelta(minutes=2))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == "09350000000")) == 0
    for guess in ("000000", "123456"):
        with pytest.raises(service.AccountError):
            service.verify_code(intruder.id, guess, now=now + timedelta(minutes=2))
    assert db.session.get(OtpChallenge, intruder.id).attempts == 2


def test_bad_identifiers_name_their_fields(ctx, now):
    with pytest.raises(service.AccountError) as caught:
        _start(now, national_code="0013542418", mobile="0912")
    assert caught.value.errors == {
        "national_code": "This national code is not valid: its check digit does not match.",
        "mobile": "A mobile number has 11 digits and starts with 09, such as 09121234567.",
    }


def test_passwords_are_optional_and_hashed_with_scrypt(ctx, now):
    account = service.verify_code(_start(now).id, last_code(), now=now)
    with pytest.raises(service.AccountError):
        service.password_sign_in(NATIONAL_CODE, "", now=now)
    with pytest.raises(service.AccountError) as caught:
        service.set_password(account, "short")
    assert caught.value.variables == {"count": 10}
    service.set_password(account, "a long enough secret")
    assert account.password_hash.startswith("scrypt:")
    assert service.password_sign_in("۰۰۱۳۵۴۲۴۱۹", "a long enough secret", now=now).id == account.id
    with pytest.raises(service.AccountError) as caught:
        service.password_sign_in(NATIONAL_CODE, "a long enough secreT", now=now)
    assert _message(caught) == "The national code or password is not right."


def test_parallel_guesses_cannot_exceed_the_tries(app, now):
    """Twenty wrong guesses at once: at most SEAL_OTP_MAX_TRIES of them are even compared."""
    import threading

    from seal_server.accounts.models import OtpChallenge

    from tests.accounts.conftest import last_code

    with app.app_context():
        challenge_id = service.start_sign_in("0013542419", "09121234567", ip="127.0.0.1", now=now).id
        real = last_code()
    guesses = [f"{n:06d}" for n in range(21) if f"{n:06d}" != real][:20]
    barrier = threading.Barrier(20)
    wrong = []

    def guess(n):
        with app.app_context():
            barrier.wait()
            try:
                service.verify_code(challenge_id, guesses[n], now=now)
            except service.AccountError as error:
                wrong.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        assert db.session.get(OtpChallenge, challenge_id).attempts == app.config["SEAL_OTP_MAX_TRIES"]
    assert len(wrong) == 20


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_ACCOUNT_TRIES_PER_HOUR": 10, "SEAL_OTP_SENDS_PER_IP_HOUR": 100}])
def test_an_attackers_own_challenges_cannot_lock_the_holder_out(ctx, now):
    """Challenges for the holder's national code sent to other mobiles (never delivered) do not count."""
    service.verify_code(_start(now).id, last_code(), now=now)
    for n in range(4):
        intruder = _start(now + timedelta(minutes=2), mobile=f"0935000000{n}", ip=f"198.51.100.{n}")
        for _ in range(5):
            with pytest.raises(service.AccountError):
                service.verify_code(intruder.id, "000000", now=now + timedelta(minutes=2))
    holder = _start(now + timedelta(minutes=3))
    assert service.verify_code(holder.id, last_code(), now=now + timedelta(minutes=3)).national_code == NATIONAL_CODE


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_IP_TRIES_PER_HOUR": 6, "SEAL_OTP_SENDS_PER_IP_HOUR": 100}])
def test_wrong_tries_are_capped_per_address(ctx, now):
    for n in range(2):
        challenge = _start(now, national_code=["0013542419", "0067749828"][n], mobile=f"0912000000{n}")
        for _ in range(3):
            with pytest.raises(service.AccountError):
                service.verify_code(challenge.id, "000000" if last_code(f"0912000000{n}") != "000000" else "1" * 6,
                                    now=now)
    third = _start(now, national_code="1234567891", mobile="09120000009")
    with pytest.raises(service.AccountError) as caught:
        service.verify_code(third.id, last_code("09120000009"), now=now)
    assert _message(caught) == "Too many wrong codes from your connection; try again in an hour."
    other = _start(now, national_code="1234567891", mobile="09120000008", ip="192.0.2.200")
    assert service.verify_code(other.id, last_code("09120000008"), now=now)


@pytest.mark.parametrize("has_account, has_password", [(False, False), (True, False), (True, True)])
def test_password_sign_in_hashes_once_whether_or_not_the_account_has_a_password(ctx, now, monkeypatch,
                                                                               has_account, has_password):
    """The time taken must not tell which national codes have a password."""
    if has_account:
        account = service.verify_code(_start(now).id, last_code(), now=now)
        if has_password:
            service.set_password(account, "a long enough secret")
    checked = []
    real = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash",
                        lambda stored, given: checked.append(stored.split("$")[0]) or real(stored, given))
    with pytest.raises(service.AccountError):
        service.password_sign_in(NATIONAL_CODE, "wrong password", now=now)
    assert len(checked) == 1 and checked[0].startswith("scrypt:")
