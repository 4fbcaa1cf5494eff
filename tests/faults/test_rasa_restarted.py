"""Fault: the Rasa server is killed (kill -9) and started again in the middle of a report.

Conversations live in the SQL tracker store, so the form resumes at the question it was asking;
a message whose turn the kill cut short was recorded before it was acknowledged, and crash
recovery runs it once when the server is back.
"""
from __future__ import annotations

import json

import pytest

from tests.faults.conftest import Faults
from tests.faults.journey import (BUTTONS, cases_of, inbound_status, poll, query,
                                  wait_processed, walk_report)
from tests.faults.test_action_server_killed import references

pytestmark = pytest.mark.slow


def user_texts(faults: Faults, chat: int) -> list:
    rows = query(f"sqlite:///{faults.assistant.servers.workdir / 'tracker.db'}",
                 "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'", s=str(chat))
    return [json.loads(row["data"]).get("text") for row in rows]


def finish(faults: Faults, chat: int) -> None:
    """Answer the remaining questions (consent, confirmation) with the buttons."""
    for _ in range(4):
        requested = faults.assistant.tracker(str(chat))["slots"].get("requested_slot")
        if requested is None:
            return
        wait_processed(faults.assistant, faults.hooks.telegram_button(chat, BUTTONS[requested]))


def test_the_form_resumes_where_it_was_after_a_rasa_restart(healed: Faults) -> None:
    chat = 62001
    walk_report(healed.assistant, healed.hooks, chat, stop_at="consent")
    before = healed.assistant.tracker(str(chat))["slots"]
    healed.assistant.kill("rasa")
    healed.assistant.start("rasa")
    after = healed.assistant.tracker(str(chat))["slots"]
    assert after["requested_slot"] == "consent"
    assert {k: after[k] for k in ("category", "location", "description")} == \
        {k: before[k] for k in ("category", "location", "description")}
    finish(healed, chat)
    cases = cases_of(healed.assistant.database_url, str(chat))
    assert len(cases) == 1 and set(references(healed.telegram.sent_texts(str(chat)))) == set(cases)


def test_a_turn_cut_short_by_the_kill_is_run_once_after_the_restart(healed: Faults) -> None:
    chat = 62002
    walk_report(healed.assistant, healed.hooks, chat, stop_at="photos")
    before = len(user_texts(healed, chat))
    key = healed.hooks.telegram_text(chat, "skip")
    healed.assistant.kill("rasa")  # acknowledged, so recorded; its turn may be cut short
    healed.assistant.start("rasa")
    assert poll(lambda: inbound_status(healed.assistant.database_url, key) == "processed"), \
        healed.assistant.log_tail("rasa")
    assert len(user_texts(healed, chat)) == before + 1
    assert healed.assistant.tracker(str(chat))["slots"]["requested_slot"] == "consent"
