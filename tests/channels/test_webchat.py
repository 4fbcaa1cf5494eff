"""The web chat channel over real HTTP, on a migrated temporary SQLite database.

What matters to the citizen: a message is recorded before it is answered, a resend is answered
from the record (one turn), a reload redraws the conversation, and every bad request gets a
clear 4xx, while a database outage gets an honest 503.
"""
from __future__ import annotations

import struct
import threading
import uuid
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List

import httpx
import pytest
from sqlalchemy import func, select

from bot import inbound
from bot.db import reset_engine, session_scope
from bot.models import Attachment, InboundMessage
from bot.settings import get_settings
from channels.webchat import WebChatInput

if TYPE_CHECKING:
    from tests.channels.conftest import ChannelServer

OVERSIZED = object()  # replaced by a text one character over the configured limit


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built from the format's spec rather than by our own code under test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def new_id() -> str:
    return str(uuid.uuid4())


def message(session_id: str, text: str = "there is a pothole", **extra: Any) -> Dict[str, Any]:
    return {"session_id": session_id, "client_message_id": new_id(), "text": text, **extra}


def count(model: Any) -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- the page -----------------------------------------------------------------------------


def test_page_names_the_city_and_exposes_the_limits(webchat: ChannelServer) -> None:
    with webchat.client() as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "<title>Testville assistant</title>" in page.text
    assert f'data-max-photo-bytes="{get_settings().max_photo_bytes}"' in page.text
    assert f'data-max-text-chars="{get_settings().max_message_chars}"' in page.text
    assert "https://" not in page.text and "http://" not in page.text  # no CDN, no web fonts
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("name,kind", [("webchat.js", "javascript"), ("webchat.css", "text/css")])
def test_static_files_are_served_from_the_package(webchat: ChannelServer, name: str, kind: str) -> None:
    with webchat.client() as client:
        reply = client.get(f"/static/{name}")
    assert reply.status_code == 200
    assert kind in reply.headers["content-type"]


@pytest.mark.parametrize("name", ["webchat.html", "..%2Fwebchat.py", "secrets.txt"])
def test_only_the_page_assets_are_served(webchat: ChannelServer, name: str) -> None:
    with webchat.client() as client:
        assert client.get(f"/static/{name}").status_code == 404


# --- messages -----------------------------------------------------------------------------


def test_message_runs_one_turn_and_returns_the_replies(webchat: ChannelServer) -> None:
    session_id = new_id()
    pin = {"latitude": 51.5, "longitude": -0.12}
    body = message(session_id, metadata={"language": "es", "location": pin})
    with webchat.client() as client:
        reply = client.post("/message", json=body)
    assert reply.status_code == 200
    replies = reply.json()["replies"]
    assert [r["text"] for r in replies] == ["You said: there is a pothole", "Is that right?"]
    assert replies[1]["buttons"] == [{"title": "Yes", "payload": "/affirm"},
                                     {"title": "No", "payload": "/deny"},
                                     {"title": "Submit", "payload": "/affirm"}]
    [turn] = webchat.assistant.turns
    assert (turn.sender_id, turn.input_channel) == (session_id, "webchat")
    assert turn.metadata == {"language": "es", "location": pin}


def test_resend_with_the_same_client_message_id_runs_the_turn_once(webchat: ChannelServer) -> None:
    body = message(new_id())
    with webchat.client() as client:
        first = client.post("/message", json=body)
        second = client.post("/message", json=body)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert len(webchat.assistant.turns) == 1
    assert count(InboundMessage) == 1


def test_resend_while_the_first_is_in_flight_answers_processing(
    start_webchat: Callable[..., ChannelServer]
) -> None:
    server = start_webchat(hold=threading.Event())
    body = message(new_id())
    results: List[httpx.Response] = []
    with server.client() as client:
        first = threading.Thread(target=lambda: results.append(client.post("/message", json=body)))
        first.start()
        deadline = datetime.now() + timedelta(seconds=10)
        while not server.assistant.turns and datetime.now() < deadline:
            threading.Event().wait(0.02)  # poll with a deadline until the turn has started
        resend = client.post("/message", json=body)
        server.assistant.hold.set()
        first.join(10)
        again = client.post("/message", json=body)
    assert resend.status_code == 202 and resend.json() == {"status": "processing"}
    assert results[0].status_code == 200
    assert again.json() == results[0].json()
    assert len(server.assistant.turns) == 1


def test_failed_turn_is_rerun_by_the_resend(webchat: ChannelServer) -> None:
    webchat.assistant.fail_next = True
    body = message(new_id())
    with webchat.client() as client:
        failed = client.post("/message", json=body)
        retried = client.post("/message", json=body)
    assert failed.status_code == 500 and "try again" in failed.json()["error"]
    assert retried.status_code == 200 and retried.json()["replies"]
    assert len(webchat.assistant.turns) == 2
    assert count(InboundMessage) == 1


def _erase_messages_of(message: Any) -> None:
    """What the last step of a citizen's deletion does to their inbound log (bot.privacy
    finish_deletion), here while the very message that asked for it is still in its turn."""
    with session_scope() as session:
        for row in session.execute(select(InboundMessage).where(
                InboundMessage.sender_id == message.sender_id)).scalars():
            session.delete(row)


def test_a_message_erased_during_its_own_turn_still_gets_its_answer(
        webchat: ChannelServer) -> None:
    webchat.assistant.during_turn = _erase_messages_of
    session_id = new_id()
    with webchat.client() as client:
        reply = client.post("/message", json=message(session_id, "delete my data"))
    assert reply.status_code == 200
    assert [r["text"] for r in reply.json()["replies"]][0] == "You said: delete my data"
    with session_scope() as session:  # nothing written back after the erasure
        assert session.execute(select(InboundMessage).where(
            InboundMessage.sender_id == session_id)).first() is None


def test_a_failed_turn_whose_message_was_erased_is_still_a_clear_error(
        webchat: ChannelServer) -> None:
    webchat.assistant.during_turn = _erase_messages_of
    webchat.assistant.fail_next = True
    with webchat.client() as client:
        failed = client.post("/message", json=message(new_id()))
    assert failed.status_code == 500 and "try again" in failed.json()["error"]


def _record_unanswered(body: Dict[str, Any]) -> None:
    """What a replica that crashed mid-turn leaves behind: a record without replies."""
    with session_scope() as session:
        inbound.record_inbound(session, channel="webchat",
                               external_id=f"{body['session_id']}:{body['client_message_id']}",
                               sender_id=body["session_id"], text=body["text"], payload={})


@pytest.mark.parametrize("minutes_later,status,turns", [(0, 202, 0), (5, 200, 1)])
def test_unanswered_record_is_retried_only_after_the_in_flight_timeout(
    start_webchat: Callable[..., ChannelServer], minutes_later: int, status: int, turns: int
) -> None:
    clock = lambda: datetime.utcnow() + timedelta(minutes=minutes_later)  # noqa: E731
    server = start_webchat(WebChatInput(in_flight_timeout_seconds=60, clock=clock))
    body = message(new_id())
    _record_unanswered(body)
    with server.client() as client:
        assert client.post("/message", json=body).status_code == status
    assert len(server.assistant.turns) == turns


# --- history ------------------------------------------------------------------------------


def test_history_redraws_the_conversation_after_a_reload(webchat: ChannelServer) -> None:
    session_id = new_id()
    with webchat.client() as client:
        client.post("/message", json=message(session_id, "pothole on my street"))
        client.post("/message", json=message(session_id, "/affirm", display_text="Yes"))
        client.post("/message", json=message(new_id(), "someone else's chat"))
    with webchat.client() as reloaded:
        history = reloaded.get("/history", params={"session_id": session_id}).json()
    assert [(line["role"], line["text"]) for line in history["lines"]] == [
        ("citizen", "pothole on my street"),
        ("assistant", "You said: pothole on my street"),
        ("assistant", "Is that right?"),
        ("citizen", "/affirm"),
        ("assistant", "You said: /affirm"),
        ("assistant", "Is that right?"),
    ]


def test_history_of_a_new_session_is_empty(webchat: ChannelServer) -> None:
    with webchat.client() as client:
        assert client.get("/history", params={"session_id": new_id()}).json()["lines"] == []


# --- bad input: always a clear 400, nothing recorded, no turn -------------------------------

SESSION = "0f8fad5b-d9cb-469f-a165-70867728950e"
BAD_MESSAGES = {
    "not json": b"{this is not json",
    "empty body": b"",
    "json array": b"[1, 2]",
    "not utf-8": b"\xff\xfe{}",
    "missing session_id": {"client_message_id": new_id(), "text": "hi"},
    "missing client_message_id": {"session_id": SESSION, "text": "hi"},
    "missing text": {"session_id": SESSION, "client_message_id": new_id()},
    "blank text": {"session_id": SESSION, "client_message_id": new_id(), "text": "   "},
    "text not a string": {"session_id": SESSION, "client_message_id": new_id(), "text": 42},
    "oversized text": {"session_id": SESSION, "client_message_id": new_id(), "text": OVERSIZED},
    "session id with slashes": {"session_id": "../../etc/passwd", "client_message_id": new_id(),
                                "text": "hi"},
    # a Telegram chat id: Rasa keeps every channel's conversations under one set of ids
    "session id of digits only": {"session_id": "5512345678", "client_message_id": new_id(),
                                  "text": "cancel report"},
    "metadata not an object": {"session_id": SESSION, "client_message_id": new_id(), "text": "hi",
                               "metadata": "x"},
    "latitude out of range": {"session_id": SESSION, "client_message_id": new_id(), "text": "hi",
                              "metadata": {"location": {"latitude": 91, "longitude": 0}}},
    "attachments not a list": {"session_id": SESSION, "client_message_id": new_id(), "text": "hi",
                               "metadata": {"attachments": "abc"}},
}


@pytest.mark.parametrize("body", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_bad_message_is_refused_with_a_clear_400(webchat: ChannelServer, body: Any) -> None:
    if isinstance(body, dict) and body.get("text") is OVERSIZED:
        body = {**body, "text": "a" * (get_settings().max_message_chars + 1)}
    with webchat.client() as client:
        if isinstance(body, bytes):
            reply = client.post("/message", content=body, headers={"content-type": "application/json"})
        else:
            reply = client.post("/message", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]
    assert webchat.assistant.turns == []
    assert count(InboundMessage) == 0


@pytest.mark.parametrize("params", [{}, {"session_id": ""}, {"session_id": "bad id!"},
                                    {"session_id": "5512345678"}])
def test_history_without_a_valid_session_is_a_400(webchat: ChannelServer, params: Dict[str, str]) -> None:
    with webchat.client() as client:
        reply = client.get("/history", params=params)
    assert reply.status_code == 400 and "session_id" in reply.json()["error"]


# --- uploads ------------------------------------------------------------------------------


def _upload(server: ChannelServer, data: bytes, content_type: str, name: str = "photo.png") -> httpx.Response:
    with server.client() as client:
        return client.post("/upload", data={"session_id": SESSION},
                           files={"photo": (name, data, content_type)})


def _stored_files() -> List[Path]:
    directory = Path(get_settings().attachments_dir)
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def test_small_png_is_stored_and_gets_an_attachment_id(webchat: ChannelServer) -> None:
    reply = _upload(webchat, tiny_png(), "image/png")
    assert reply.status_code == 200
    attachment_id = reply.json()["attachment_id"]
    with session_scope() as session:
        stored = session.get(Attachment, attachment_id)
        assert (stored.sender_id, stored.channel, stored.content_type) == (SESSION, "webchat", "image/png")


@pytest.mark.parametrize("data,content_type,status", [
    (OVERSIZED, "image/png", 413),
    (b"just some text, not a picture", "text/plain", 415),
    (b"%PDF-1.4 pretending to be a photo", "image/png", 415),
], ids=["too big", "not an image", "image type but not image bytes"])
def test_refused_upload_stores_nothing(
    webchat: ChannelServer, data: Any, content_type: str, status: int
) -> None:
    if data is OVERSIZED:
        data = tiny_png() + b"\x00" * get_settings().max_photo_bytes
    reply = _upload(webchat, data, content_type)
    assert reply.status_code == status
    assert reply.json()["error"]
    assert count(Attachment) == 0
    assert _stored_files() == []


@pytest.mark.parametrize("form,files", [
    ({"session_id": SESSION}, {}),
    ({}, {"photo": ("p.png", tiny_png(), "image/png")}),
    ({"session_id": "5512345678"}, {"photo": ("p.png", tiny_png(), "image/png")}),
], ids=["no file", "no session", "a telegram chat id"])
def test_incomplete_upload_is_a_400(
    webchat: ChannelServer, form: Dict[str, str], files: Dict[str, Any]
) -> None:
    with webchat.client() as client:
        reply = client.post("/upload", data=form, files=files or {"other": ("x", b"x", "text/plain")})
    assert reply.status_code == 400 and reply.json()["error"]


# --- database down --------------------------------------------------------------------------


@pytest.fixture
def database_down(webchat_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the settings at a database file that cannot be opened (its path is a directory)."""
    unopenable = tmp_path / "down.db"
    unopenable.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{unopenable}")
    get_settings.cache_clear()
    reset_engine()


@pytest.mark.parametrize("method,path,kwargs", [
    ("post", "/message", {"json": message(SESSION)}),
    ("get", "/history", {"params": {"session_id": SESSION}}),
    ("post", "/upload", {"data": {"session_id": SESSION},
                         "files": {"photo": ("p.png", tiny_png(), "image/png")}}),
], ids=["message", "history", "upload"])
def test_database_down_is_an_honest_503(
    database_down: None, webchat: ChannelServer, method: str, path: str, kwargs: Dict[str, Any]
) -> None:
    with webchat.client() as client:
        reply = getattr(client, method)(path, **kwargs)
    assert reply.status_code == 503
    assert "nothing was recorded" in reply.json()["error"]
    assert "try again" in reply.json()["error"]
    assert webchat.assistant.turns == []
