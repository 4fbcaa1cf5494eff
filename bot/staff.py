"""Staff accounts: creating them, signing in, passwords, roles and departments.

There are no default accounts: the first admin comes from `python -m bot.cli create-admin`,
and admins manage everyone else from the console. Every change is written to the audit log in
the same unit of work (password hashes never are).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from functools import lru_cache
from typing import Any, Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import utc_naive
from bot.errors import InvalidCredentials, InvalidInput, LoginThrottled, StaffNotFound
from bot.login_throttle import is_throttled, record_attempt, window_minutes
from bot.logs import log_event
from bot.models import Service, StaffUser
from bot.passwords import check_password_policy, hash_password, needs_rehash, verify_password
from bot.staff_sessions import end_all_sessions

log = logging.getLogger(__name__)

ROLES = ("caseworker", "comms", "admin")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def staff_view(user: StaffUser) -> Dict[str, Any]:
    """What the audit log keeps of an account: never the password hash."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "department": user.department, "active": user.active}


def departments(session: Session) -> List[str]:
    """The departments that services are routed to: the only ones a caseworker can belong to."""
    return list(session.execute(select(Service.department).distinct()
                                .order_by(Service.department)).scalars())


def _checked_role(session: Session, role: str, department: Optional[str]) -> Optional[str]:
    """The department to store for `role`: required (and known) for caseworkers, none otherwise."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if role != "caseworker":
        return None
    if not department or department not in departments(session):
        raise InvalidInput("a caseworker needs one of the departments services are routed to")
    return department


def get_staff(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise StaffNotFound(f"no staff account {user_id}")
    return user


def find_staff(session: Session, username: str) -> Optional[StaffUser]:
    return session.execute(select(StaffUser).where(
        StaffUser.username == normalise_username(username))).scalar_one_or_none()


def list_staff(session: Session) -> List[StaffUser]:
    """Everyone, active first, then by username."""
    return list(session.execute(select(StaffUser).order_by(StaffUser.active.desc(),
                                                           StaffUser.username)).scalars())


def create_staff(session: Session, *, username: str, display_name: str, password: str,
                 role: str, department: Optional[str] = None, actor: str,
                 ip: Optional[str] = None, now: Optional[dt.datetime] = None) -> StaffUser:
    """A new active account; refuses a taken username, a bad role/department, a weak password."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput("a username is 3-80 characters: letters, digits, '.', '_' or '-'")
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise InvalidInput("a display name is 1-120 characters")
    department = _checked_role(session, role, department)
    if find_staff(session, username) is not None:
        raise InvalidInput(f"the username {username} is taken")
    check_password_policy(password, username)
    now = utc_naive(now)
    user = StaffUser(username=username, display_name=display_name,
                     password_hash=hash_password(password), role=role, department=department,
                     active=True, created_at=now, password_changed_at=now)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="staff.created", target_type="staff_user",
                 target_id=str(user.id), before=None, after=staff_view(user), ip=ip, now=now)
    return user


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash to verify against when the username is unknown, so that answer takes as long as
    a wrong password and usernames cannot be told apart by timing."""
    return hash_password("decoy password that no account has")


def authenticate(session: Session, *, username: str, password: str, ip: str,
                 now: Optional[dt.datetime] = None) -> StaffUser:
    """The active account these credentials belong to; raises LoginThrottled or
    InvalidCredentials. Records the attempt, and upgrades an old-parameter hash."""
    now = utc_naive(now)
    username = normalise_username(username)[:80]
    if is_throttled(session, username=username, ip=ip, now=now):
        log_event(log, "staff_login_throttled", level=logging.WARNING, username=username)
        raise LoginThrottled(window_minutes())
    user = find_staff(session, username)
    valid = verify_password(user.password_hash if user else _decoy_hash(), password or "")
    if user is None or not valid or not user.active:
        record_attempt(session, username=username, ip=ip, succeeded=False, now=now)
        raise InvalidCredentials()
    record_attempt(session, username=username, ip=ip, succeeded=True, now=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit.record(session, actor=user.username, action="staff.signed_in", target_type="staff_user",
                 target_id=str(user.id), before=None, after=None, ip=ip, now=now)
    return user


def change_password(session: Session, user_id: int, *, current_password: str, new_password: str,
                    ip: Optional[str] = None, now: Optional[dt.datetime] = None) -> None:
    """A staff member changes their own password; the current one must be given."""
    user = get_staff(session, user_id)
    if not verify_password(user.password_hash, current_password or ""):
        raise InvalidCredentials()
    _set_password(session, user, new_password, actor=user.username, ip=ip, now=now,
                  action="staff.password_changed")


def reset_password(session: Session, user_id: int, *, new_password: str, actor: str,
                   ip: Optional[str] = None, now: Optional[dt.datetime] = None) -> None:
    """An admin sets someone's password; their open sessions end."""
    user = get_staff(session, user_id)
    _set_password(session, user, new_password, actor=actor, ip=ip, now=now,
                  action="staff.password_reset")
    end_all_sessions(session, user.id, now=now)


def _set_password(session: Session, user: StaffUser, password: str, *, actor: str,
                  ip: Optional[str], now: Optional[dt.datetime], action: str) -> None:
    check_password_policy(password, user.username)
    now = utc_naive(now)
    before = {"password_changed_at": user.password_changed_at}
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    audit.record(session, actor=actor, action=action, target_type="staff_user",
                 target_id=str(user.id), before=before,
                 after={"password_changed_at": now}, ip=ip, now=now)


def _ensure_other_admin(session: Session, user: StaffUser) -> None:
    """Refuse a change that would leave no active admin: nobody could manage accounts."""
    if user.role != "admin" or not user.active:
        return
    others = session.execute(
        select(func.count(StaffUser.id))
        .where(StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id)
    ).scalar_one()
    if not others:
        raise InvalidInput("this is the last active admin; make another admin first")


def deactivate(session: Session, user_id: int, *, actor: str, ip: Optional[str] = None,
               now: Optional[dt.datetime] = None) -> StaffUser:
    """The account can no longer sign in, and its open sessions end now."""
    user = get_staff(session, user_id)
    if not user.active:
        return user
    _ensure_other_admin(session, user)
    before = staff_view(user)
    user.active = False
    end_all_sessions(session, user.id, now=now)
    audit.record(session, actor=actor, action="staff.deactivated", target_type="staff_user",
                 target_id=str(user.id), before=before, after=staff_view(user), ip=ip, now=now)
    return user


def change_role(session: Session, user_id: int, *, role: str, department: Optional[str],
                actor: str, ip: Optional[str] = None, now: Optional[dt.datetime] = None
                ) -> StaffUser:
    """A new role and/or department; takes effect on the account's next request."""
    user = get_staff(session, user_id)
    department = _checked_role(session, role, department)
    if role == user.role and department == user.department:
        return user
    if role != "admin":
        _ensure_other_admin(session, user)
    before = staff_view(user)
    user.role, user.department = role, department
    audit.record(session, actor=actor, action="staff.role_changed", target_type="staff_user",
                 target_id=str(user.id), before=before, after=staff_view(user), ip=ip, now=now)
    return user
