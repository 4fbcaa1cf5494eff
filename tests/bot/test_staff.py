"""bot.staff, bot.passwords, bot.login_throttle and bot.staff_sessions: accounts, sign-in,
throttling, password policy and server-side sessions, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable, Dict

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.errors import InvalidCredentials, InvalidInput, LoginThrottled, WeakPassword
from bot.models import AuditEntry, LoginAttempt, StaffSession, StaffUser
from bot.passwords import common_passwords, password_problems
from bot.settings import get_settings
from bot.staff import (authenticate, change_password, change_role, create_staff, deactivate,
                       departments, find_staff, reset_password)
from bot.staff_sessions import (ABSOLUTE_LIFETIME, end_session, resolve_session, start_session,
                                token_digest)

NOW = dt.datetime(2026, 11, 23, 12, 0)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def new_staff(session_for: Callable[[], Any]) -> Callable[..., Dict[str, Any]]:
    """Create an account with a unique username; its id, username and password."""

    def make(role: str = "admin", department: str | None = None,
             password: str = PASSWORD) -> Dict[str, Any]:
        username = f"user-{uuid.uuid4().hex[:10]}"
        with session_for() as session:
            if role == "caseworker" and department is None:
                department = departments(session)[0]
            user = create_staff(session, username=username, display_name="Test Person",
                                password=password, role=role, department=department,
                                actor="test", now=NOW)
            return {"id": user.id, "username": username, "password": password}

    return make


@pytest.fixture
def ip() -> str:
    """An address nobody else in the shared database has used, so per-address throttling
    of other tests does not leak into this one."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_password_is_stored_as_argon2id_hash_not_plain(new_staff, session_for) -> None:
    account = new_staff()
    with session_for() as session:
        stored = session.get(StaffUser, account["id"]).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_correct_password_signs_in_and_is_recorded(new_staff, session_for, ip) -> None:
    account = new_staff()
    with session_for() as session:
        user = authenticate(session, username=account["username"].upper(), password=PASSWORD,
                            ip=ip, now=NOW)
        assert user.id == account["id"] and user.last_login_at == NOW
    with session_for() as session:
        attempts = session.execute(select(LoginAttempt).where(LoginAttempt.ip == ip)).scalars().all()
    assert [(a.username, a.succeeded) for a in attempts] == [(account["username"], True)]


@pytest.mark.parametrize("username_of, password", [
    (lambda account: account["username"], "wrong password entirely"),
    (lambda account: "nobody-" + uuid.uuid4().hex[:8], PASSWORD),
])
def test_wrong_password_and_unknown_user_fail_alike(new_staff, session_for, ip, username_of,
                                                    password) -> None:
    username = username_of(new_staff())
    with session_for() as session:
        with pytest.raises(InvalidCredentials) as failure:
            authenticate(session, username=username, password=password, ip=ip, now=NOW)
        assert str(failure.value) == "username or password is not correct"
        failed = session.execute(select(LoginAttempt).where(LoginAttempt.ip == ip)).scalar_one()
        assert failed.succeeded is False


def _fail(session_for, username: str, ip: str, times: int, now: dt.datetime) -> None:
    for _ in range(times):
        with session_for() as session:
            with pytest.raises(InvalidCredentials):
                authenticate(session, username=username, password="not the password", ip=ip,
                             now=now)


def test_too_many_failures_refuse_even_the_correct_password(new_staff, session_for, ip) -> None:
    account = new_staff()
    limit = get_settings().console_login_max_failures
    _fail(session_for, account["username"], ip, limit, NOW)
    with session_for() as session:
        with pytest.raises(LoginThrottled, match="too many failed sign-ins"):
            authenticate(session, username=account["username"], password=PASSWORD,
                         ip=f"{ip}-other", now=NOW + dt.timedelta(minutes=1))
    with session_for() as session:  # after the 15-minute window it works again
        authenticate(session, username=account["username"], password=PASSWORD, ip=ip,
                     now=NOW + dt.timedelta(minutes=16))


def test_failures_from_one_address_throttle_other_accounts(new_staff, session_for, ip) -> None:
    victim = new_staff()
    for _ in range(get_settings().console_login_max_failures):
        _fail(session_for, f"guess-{uuid.uuid4().hex[:6]}", ip, 1, NOW)
    with session_for() as session:
        with pytest.raises(LoginThrottled):
            authenticate(session, username=victim["username"], password=PASSWORD, ip=ip,
                         now=NOW + dt.timedelta(minutes=2))


def test_failures_below_the_limit_do_not_throttle(new_staff, session_for, ip) -> None:
    account = new_staff()
    _fail(session_for, account["username"], ip, get_settings().console_login_max_failures - 1, NOW)
    with session_for() as session:
        assert authenticate(session, username=account["username"], password=PASSWORD, ip=ip,
                            now=NOW).id == account["id"]


def test_deactivated_account_cannot_sign_in_and_loses_sessions(new_staff, session_for, ip) -> None:
    admin, account = new_staff(), new_staff(role="comms")
    with session_for() as session:
        token = start_session(session, session.get(StaffUser, account["id"]), now=NOW)
    with session_for() as session:
        deactivate(session, account["id"], actor=admin["username"], ip=ip, now=NOW)
    with session_for() as session:
        assert resolve_session(session, token, now=NOW) is None
        with pytest.raises(InvalidCredentials):
            authenticate(session, username=account["username"], password=PASSWORD, ip=ip, now=NOW)


def test_old_parameter_hash_is_upgraded_at_sign_in(new_staff, session_for, ip) -> None:
    account = new_staff()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with session_for() as session:
        session.get(StaffUser, account["id"]).password_hash = weak
    with session_for() as session:
        authenticate(session, username=account["username"], password=PASSWORD, ip=ip, now=NOW)
    with session_for() as session:
        upgraded = session.get(StaffUser, account["id"]).password_hash
    assert upgraded != weak and not PasswordHasher().check_needs_rehash(upgraded)


@pytest.mark.parametrize("password, reason", [
    ("short pass", "at least 12"),
    ("password1234", "too common"),
    ("QWERTYUIOP123", "too common"),
    ("aaaaaaaaaaaaaaaa", "single character"),
    ("x" * 129 + "yz", "at most 128"),
])
def test_password_policy_refuses(password: str, reason: str) -> None:
    assert any(reason in problem for problem in password_problems(password, "someone"))


def test_password_containing_the_username_is_refused(new_staff, session_for) -> None:
    with session_for() as session:
        with pytest.raises(WeakPassword, match="must not contain the username"):
            create_staff(session, username="maria.lopez", display_name="Maria",
                         password="Maria.Lopez-rocks-2026", role="comms", actor="test")


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    assert password_problems("tangerine lighthouse gravel 42", "someone") == []


def test_common_password_list_is_substantial() -> None:
    assert len(common_passwords()) >= 500 and "password123" in common_passwords()


def test_taken_username_is_refused_case_insensitively(new_staff, session_for) -> None:
    account = new_staff()
    with session_for() as session:
        with pytest.raises(InvalidInput, match="taken"):
            create_staff(session, username=account["username"].upper(), display_name="Again",
                         password=PASSWORD, role="comms", actor="test")


def test_caseworker_needs_a_known_department(session_for) -> None:
    with session_for() as session:
        with pytest.raises(InvalidInput, match="department"):
            create_staff(session, username=f"cw-{uuid.uuid4().hex[:8]}", display_name="CW",
                         password=PASSWORD, role="caseworker", department="Ministry of Magic",
                         actor="test")


def test_role_change_is_audited_without_password_hash(new_staff, session_for) -> None:
    admin, account = new_staff(), new_staff(role="caseworker")
    with session_for() as session:
        other = [d for d in departments(session)][-1]
        change_role(session, account["id"], role="caseworker", department=other,
                    actor=admin["username"], ip="10.0.0.1", now=NOW)
    with session_for() as session:
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.action == "staff.role_changed",
            AuditEntry.target_id == str(account["id"]))).scalar_one()
        user = session.get(StaffUser, account["id"])
    assert entry.after["department"] == other == user.department
    assert entry.before["role"] == "caseworker" and entry.actor == admin["username"]
    assert "password_hash" not in entry.before and "password_hash" not in entry.after


def test_change_password_needs_the_current_one(new_staff, session_for, ip) -> None:
    account = new_staff()
    with session_for() as session:
        with pytest.raises(InvalidCredentials):
            change_password(session, account["id"], current_password="not it",
                            new_password="a brand new passphrase", now=NOW)
    with session_for() as session:
        change_password(session, account["id"], current_password=PASSWORD,
                        new_password="a brand new passphrase", now=NOW)
    with session_for() as session:
        assert authenticate(session, username=account["username"],
                            password="a brand new passphrase", ip=ip, now=NOW)


def test_reset_password_ends_sessions_and_is_audited(new_staff, session_for) -> None:
    admin, account = new_staff(), new_staff(role="comms")
    with session_for() as session:
        token = start_session(session, session.get(StaffUser, account["id"]), now=NOW)
        reset_password(session, account["id"], new_password="reset by the admin 77",
                       actor=admin["username"], ip="10.0.0.2", now=NOW)
    with session_for() as session:
        assert resolve_session(session, token, now=NOW) is None
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.action == "staff.password_reset",
            AuditEntry.target_id == str(account["id"]))).scalar_one()
    assert set(entry.after) == {"password_changed_at"}


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(session_for) -> None:
    """Other admins are deactivated inside this unit of work and rolled back at the end, so the
    shared database is left as it was."""
    with session_for() as session:
        admins = session.execute(select(StaffUser).where(StaffUser.role == "admin",
                                                         StaffUser.active.is_(True))).scalars().all()
        for other in admins:
            other.active = False
        lone = create_staff(session, username=f"lone-{uuid.uuid4().hex[:8]}", display_name="Lone",
                            password=PASSWORD, role="admin", actor="test")
        with pytest.raises(InvalidInput, match="last active admin"):
            change_role(session, lone.id, role="comms", department=None, actor="test")
        with pytest.raises(InvalidInput, match="last active admin"):
            deactivate(session, lone.id, actor="test")
        session.rollback()


def test_session_stores_only_a_hash_and_expires_when_idle(new_staff, session_for,
                                                          monkeypatch) -> None:
    account = new_staff(role="comms")
    hours = 2.0
    monkeypatch.setattr(get_settings(), "console_session_hours", hours)
    with session_for() as session:
        token = start_session(session, session.get(StaffUser, account["id"]), now=NOW)
    with session_for() as session:
        stored = session.get(StaffSession, token_digest(token))
        assert stored is not None and session.get(StaffSession, token) is None
        assert resolve_session(session, token, now=NOW + dt.timedelta(hours=hours - 0.1))
    with session_for() as session:  # used just now, so the idle clock restarted
        assert resolve_session(session, token, now=NOW + dt.timedelta(hours=2 * hours - 0.2))
    with session_for() as session:
        assert resolve_session(session, token, now=NOW + dt.timedelta(hours=3 * hours)) is None


def test_session_ends_after_the_absolute_lifetime_however_busy(new_staff, session_for) -> None:
    account = new_staff(role="comms")
    with session_for() as session:
        token = start_session(session, session.get(StaffUser, account["id"]), now=NOW)
    moment = NOW
    while moment < NOW + ABSOLUTE_LIFETIME - dt.timedelta(hours=1):
        moment += dt.timedelta(hours=1)
        with session_for() as session:
            assert resolve_session(session, token, now=moment) is not None
    with session_for() as session:
        assert resolve_session(session, token, now=NOW + ABSOLUTE_LIFETIME) is None


def test_new_session_revokes_the_previous_token(new_staff, session_for) -> None:
    account = new_staff(role="comms")
    with session_for() as session:
        user = session.get(StaffUser, account["id"])
        first = start_session(session, user, now=NOW)
        second = start_session(session, user, previous_token=first, now=NOW)
    assert first != second
    with session_for() as session:
        assert resolve_session(session, first, now=NOW) is None
        assert resolve_session(session, second, now=NOW).username == account["username"]
        assert end_session(session, second, now=NOW) is True
        assert resolve_session(session, second, now=NOW) is None


def test_usernames_are_stored_lower_case(session_for) -> None:
    name = f"Mixed.Case-{uuid.uuid4().hex[:6]}"
    with session_for() as session:
        create_staff(session, username=name, display_name="M", password=PASSWORD, role="comms",
                     actor="test")
    with session_for() as session:
        assert find_staff(session, name).username == name.lower()
