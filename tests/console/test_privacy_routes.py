"""The admin's data-rights page on a running console: export downloads everything about a
phone number as JSON, deletion shows what it will touch and runs only after the admin types
the confirmation, and the audit log records both with the subject's hash, never the number."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import AuditEntry, PrivacyRequest
from bot.privacy_subject import Subject, subject_hash
from bot.settings import get_settings
from tests.bot.test_privacy import leftovers, populate, rasa_tracker_store
from tests.identities import unused_uk_mobile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture
def world(console_factory, make_staff, staff_client, tmp_path: Path):  # type: ignore[no-untyped-def]
    phone = unused_uk_mobile()
    words = f"zc{uuid.uuid4().hex[:10]}"
    tracker = rasa_tracker_store(tmp_path / "tracker.db", phone, [f"pothole at {words}"])
    console = console_factory(TRACKER_STORE_URL=tracker, ATTACHMENTS_DIR=str(tmp_path / "files"))
    settings = get_settings()  # this process writes the photo; the console only deletes it
    previous = settings.attachments_dir
    settings.attachments_dir = tmp_path / "files"
    try:
        populate(console.database_url, Subject("sms", phone), words, PNG + words.encode())
    finally:
        settings.attachments_dir = previous
    admin = staff_client(console, *make_staff(console.database_url, "admin"))
    return dict(console=console, admin=admin, phone=phone, words=words, tracker=tracker,
                files=tmp_path / "files")


def test_export_downloads_their_data_and_audits_only_the_hash(world: dict) -> None:
    admin: httpx.Client = world["admin"]
    typed = world["phone"][:3] + " " + world["phone"][3:7] + " " + world["phone"][7:]
    reply = admin.post("/admin/privacy/export", data={"channel": "sms", "identifier": typed,
                                                      "csrf_token": admin.csrf})
    assert reply.status_code == 200 and "attachment" in reply.headers["content-disposition"]
    document = reply.json()
    assert document["identifier"] == world["phone"]
    assert world["words"] in json.dumps(document["cases_reported"])
    assert [line["text"] for line in document["conversation"] if line["from"] == "citizen"] == [
        f"pothole at {world['words']}"]
    with session_scope(world["console"].database_url) as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "privacy.exported")).scalars().one()
        assert entry.target_id == subject_hash("sms", world["phone"])
    assert world["phone"] not in json.dumps([entry.before, entry.after])


def test_deletion_asks_for_confirmation_first(world: dict) -> None:
    admin: httpx.Client = world["admin"]
    form = {"channel": "sms", "identifier": world["phone"], "csrf_token": admin.csrf}
    preview = admin.post("/admin/privacy/delete", data=form)
    assert preview.status_code == 200 and "Type DELETE to confirm" in preview.text
    assert "cases reported: 1" in preview.text
    wrong = admin.post("/admin/privacy/delete", data={**form, "confirm": "yes"})
    assert wrong.status_code == 400
    assert leftovers(world["console"].database_url, [world["words"]]), "nothing deleted yet"


def test_confirmed_deletion_leaves_nothing_identifying(world: dict) -> None:
    admin: httpx.Client = world["admin"]
    done = admin.post("/admin/privacy/delete", data={"channel": "sms", "identifier": world["phone"],
                                                     "confirm": "DELETE", "csrf_token": admin.csrf})
    assert done.status_code == 302 and done.headers["location"] == "/admin/privacy?done=deleted"
    needles = [world["phone"], world["words"]]
    assert leftovers(world["console"].database_url, needles) == []
    assert leftovers(world["tracker"], needles) == []
    assert not any(world["words"].encode() in p.read_bytes() for p in world["files"].rglob("*") if p.is_file())
    page = admin.get("/admin/privacy?done=deleted")
    assert "data was deleted" in page.text and world["phone"] not in page.text
    with session_scope(world["console"].database_url) as session:
        request = session.execute(select(PrivacyRequest).where(PrivacyRequest.kind == "deletion")).scalars().one()
        assert request.requested_by != "citizen" and request.completed_at is not None


@pytest.mark.parametrize("channel,identifier", [("sms", "07700 900123"), ("telegram", "@bob"), ("pigeon", "1")])
def test_a_wrong_identifier_is_refused_before_any_search(world: dict, channel: str, identifier: str) -> None:
    admin: httpx.Client = world["admin"]
    for path in ("/admin/privacy/export", "/admin/privacy/delete"):
        reply = admin.post(path, data={"channel": channel, "identifier": identifier, "csrf_token": admin.csrf})
        assert reply.status_code == 400
