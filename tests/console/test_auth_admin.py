"""Admin pages of the running console: staff accounts managed through the forms, each change
audited with before/after (never a password hash), and the audit log page with filters."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import AuditEntry, StaffUser
from tests.console.harness import departments_of


@pytest.fixture
def admin(console_server, make_staff, staff_client):  # type: ignore[no-untyped-def]
    username, password = make_staff(console_server.database_url, "admin")
    return staff_client(console_server, username, password)


def _account(database_url: str, username: str) -> StaffUser:
    with session_scope(database_url) as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()
        session.expunge(user)
        return user


def _audit(database_url: str, action: str):  # type: ignore[no-untyped-def]
    with session_scope(database_url) as session:
        return session.execute(select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id)).scalars().all()


def test_admin_creates_a_caseworker_who_can_sign_in(console_server, admin, staff_client) -> None:
    department = departments_of(console_server.database_url)[1]
    response = admin.post("/admin/staff", data={
        "csrf_token": admin.csrf, "username": "Ana.Silva", "display_name": "Ana Silva",
        "role": "caseworker", "department": department, "password": "lighthouse keeper 2026"})
    assert response.status_code == 302 and response.headers["location"] == "/admin/staff?done=created"
    listing = admin.get("/admin/staff?done=created").text
    assert "ana.silva" in listing and "The account was created." in listing
    created = _audit(console_server.database_url, "staff.created")[-1]
    assert created.after == {"username": "ana.silva", "display_name": "Ana Silva",
                             "role": "caseworker", "department": department, "active": True}
    assert created.before is None and created.ip == "127.0.0.1"
    worker = staff_client(console_server, "ana.silva", "lighthouse keeper 2026")
    assert worker.get("/").headers["location"] == "/escalations"


@pytest.mark.parametrize("fields, message", [
    ({"role": "caseworker", "department": ""}, "a caseworker needs one of the departments"),
    ({"role": "comms", "password": "password1234"}, "This password is too common"),
    ({"role": "wizard"}, "role must be one of"),
    ({"role": "comms", "username": "x"}, "a username is 3-80 characters"),
])
def test_invalid_new_accounts_are_refused_with_a_reason(console_server, admin, fields,
                                                        message) -> None:
    data = {"csrf_token": admin.csrf, "username": "new.person", "display_name": "New Person",
            "password": "a perfectly fine passphrase", **fields}
    response = admin.post("/admin/staff", data=data)
    assert response.status_code == 400 and message in response.text
    with session_scope(console_server.database_url) as session:
        assert session.execute(select(StaffUser).where(StaffUser.display_name == "New Person")
                               ).first() is None


def test_role_change_reset_and_deactivation_take_effect_and_are_audited(
        console_server, admin, make_staff, staff_client) -> None:
    url = console_server.database_url
    username, password = make_staff(url, "caseworker")
    worker = staff_client(console_server, username, password)
    user_id = _account(url, username).id
    assert admin.get(f"/admin/staff/{user_id}").status_code == 200

    assert admin.post(f"/admin/staff/{user_id}/role", data={
        "csrf_token": admin.csrf, "role": "comms", "department": ""}).status_code == 302
    assert worker.get("/").headers["location"] == "/account"  # the new role applies at once
    changed = _audit(url, "staff.role_changed")[-1]
    assert changed.before["role"] == "caseworker" and changed.after == {
        "username": username, "display_name": "Test Caseworker", "role": "comms",
        "department": None, "active": True}

    assert admin.post(f"/admin/staff/{user_id}/password", data={
        "csrf_token": admin.csrf, "password": "a fresh reset passphrase"}).status_code == 302
    assert worker.get("/account").status_code == 302  # reset ends the account's sessions
    reset = _audit(url, "staff.password_reset")[-1]
    assert set(reset.before) == set(reset.after) == {"password_changed_at"}

    worker = staff_client(console_server, username, "a fresh reset passphrase")
    assert admin.post(f"/admin/staff/{user_id}/deactivate",
                      data={"csrf_token": admin.csrf}).status_code == 302
    assert worker.get("/account").status_code == 302
    assert _account(url, username).active is False
    assert _audit(url, "staff.deactivated")[-1].after["active"] is False
    for entry in _audit(url, "staff.created") + _audit(url, "staff.role_changed"):
        assert "password_hash" not in (entry.after or {}) and "password_hash" not in (entry.before or {})


def test_an_admin_cannot_deactivate_themselves(console_server, admin) -> None:
    own_id = int(re.search(r'href="/admin/staff/(\d+)"', admin.get("/admin/staff").text).group(1))
    response = admin.post(f"/admin/staff/{own_id}/deactivate", data={"csrf_token": admin.csrf})
    assert response.status_code == 400 and "cannot deactivate your own account" in response.text


def test_unknown_account_is_404(admin) -> None:
    assert admin.get("/admin/staff/999999").status_code == 404
    assert admin.post("/admin/staff/999999/deactivate",
                      data={"csrf_token": admin.csrf}).status_code == 404


def test_audit_log_page_is_newest_first_filtered_and_paged(console_server, admin, make_staff
                                                           ) -> None:
    url = console_server.database_url
    for _ in range(3):
        make_staff(url, "comms")  # actor "test", action staff.created
    page = admin.get("/admin/audit?actor=test&action=staff.created").text
    assert "4 entries" in page  # the admin and three comms accounts
    rows = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", page)
    assert rows == sorted(rows, reverse=True) and len(rows) == 4
    assert "$argon2" not in admin.get("/admin/audit").text
    paged = admin.get("/admin/audit?page=999").text
    assert "No entries match." in paged
