"""The citizen's side end to end on the real assistant (Rasa, action server, web chat):
they ask what we hold, ask for deletion, confirm, and afterwards neither the case database
nor Rasa's tracker store holds their session id or their words. The tracker rows of the
deleting turn itself are saved by Rasa after the action ran, so this also proves the
action's wait-then-delete step works against the real Rasa."""
from __future__ import annotations

import time
import uuid
from typing import Any, Dict, List

import httpx

from bot import cases
from bot.db import session_scope
from tests.bot.test_privacy import leftovers

DEADLINE_SECONDS = 60.0


def say(servers: Any, session_id: str, text: str) -> List[str]:
    """One web chat message; the texts of the bot's replies."""
    body = {"session_id": session_id, "client_message_id": str(uuid.uuid4()), "text": text}
    reply = httpx.post(f"{servers.rasa_url}/webhooks/webchat/message", json=body, timeout=60)
    assert reply.status_code == 200, reply.text
    return [item.get("text") or "" for item in reply.json()["replies"]]


def privacy_journey(servers: Any) -> Dict[str, Any]:
    """Report (straight into the core), ask, delete, confirm; returns what was seen."""
    session_id, words = str(uuid.uuid4()), f"zj{uuid.uuid4().hex[:10]}"
    with session_scope(servers.database_url) as session:
        cases.open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                        description=f"hole by {words}", address=f"9 {words} Road", latitude=None,
                        longitude=None, channel="webchat", sender_id=session_id, consent=True)
    seen = {"hello": say(servers, session_id, f"hello, I live at {words} Road"),
            "ask": say(servers, session_id, "what data do you have about me"),
            "delete": say(servers, session_id, "please delete my data"),
            "confirm": say(servers, session_id, "/affirm")}
    tracker_url = servers.env["TRACKER_STORE_URL"]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while leftovers(tracker_url, [session_id]) and time.monotonic() < deadline:
        time.sleep(0.25)
    seen["tracker_left"] = leftovers(tracker_url, [session_id, words])
    seen["database_left"] = leftovers(servers.database_url, [session_id, words])
    log = servers.log_path.read_text(encoding="utf-8", errors="replace")
    seen["words_in_log"] = [line for line in log.splitlines() if words in line]
    return seen


def test_a_citizen_asks_for_their_data_then_has_it_deleted(assistant_servers) -> None:  # type: ignore[no-untyped-def]
    seen = privacy_journey(assistant_servers)
    assert any("1 report" in text for text in seen["ask"]), seen["ask"]
    assert any("Delete your data?" in text for text in seen["delete"]), seen["delete"]
    assert any("your data has been deleted" in text for text in seen["confirm"]), seen["confirm"]
    assert seen["tracker_left"] == [] and seen["database_left"] == []
    assert seen["words_in_log"] == [], "Rasa, actions or console logged the citizen's words"
