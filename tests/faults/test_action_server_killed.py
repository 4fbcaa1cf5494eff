"""Fault: the action server is killed (SIGKILL) in the middle of a report.

The real Rasa server, action server and dispatcher (tests/faults/cluster.py) and a citizen on
Telegram. While the action server is down the citizen must never be told a case exists unless
it was committed; once it is back, pressing the button again completes the report with exactly
one case, whatever moment the kill hit.
"""
from __future__ import annotations

import re
from typing import List

import pytest

from tests.faults.conftest import Faults
from tests.faults.journey import cases_of, poll, references, wait_processed, walk_report

pytestmark = pytest.mark.slow

APOLOGY = re.compile(r"sorry|apolog|trouble|try again", re.IGNORECASE)


def finish_after_restart(healed: Faults, chat: int) -> List[str]:
    """Start the action server again and press Submit again, as the citizen would (a press may
    meet silence when the kill cut a validation short: they press once more), until a
    reference comes back."""
    healed.assistant.start("actions")
    before = len(healed.telegram.sent_texts(str(chat)))
    for _ in range(3):
        wait_processed(healed.assistant, healed.hooks.telegram_button(chat, "/affirm"))
        if poll(lambda: references(healed.telegram.sent_texts(str(chat))[before:]) != [], 10):
            break
    assert references(healed.telegram.sent_texts(str(chat))[before:]), \
        healed.telegram.sent_texts(str(chat))
    return healed.telegram.sent_texts(str(chat))


def test_submit_while_the_action_server_is_down_saves_no_case_and_claims_none(
        healed: Faults) -> None:
    chat = 61001
    walk_report(healed.assistant, healed.hooks, chat, stop_at="confirmed")
    healed.assistant.kill("actions")
    before = len(healed.telegram.sent_texts(str(chat)))
    wait_processed(healed.assistant, healed.hooks.telegram_button(chat, "/affirm"))
    during = healed.telegram.sent_texts(str(chat))[before:]
    assert references(during) == [], during
    assert cases_of(healed.assistant.database_url, str(chat)) == []
    sent = finish_after_restart(healed, chat)
    cases = cases_of(healed.assistant.database_url, str(chat))
    assert len(cases) == 1 and set(references(sent)) == set(cases), (cases, sent)


def test_the_citizen_gets_an_apology_while_the_action_server_is_down(healed: Faults) -> None:
    chat = 61002
    walk_report(healed.assistant, healed.hooks, chat, stop_at="confirmed")
    healed.assistant.kill("actions")
    before = len(healed.telegram.sent_texts(str(chat)))
    wait_processed(healed.assistant, healed.hooks.telegram_button(chat, "/affirm"))
    during = healed.telegram.sent_texts(str(chat))[before:]
    assert any(APOLOGY.search(text) for text in during), during


def test_a_kill_right_as_submit_is_pressed_never_duplicates_or_lies(healed: Faults) -> None:
    """The kill races the submission: either the case was committed (then the reference the
    citizen gets is that case) or it was not (then none is claimed); after the restart there is
    exactly one case either way."""
    chat = 61003
    walk_report(healed.assistant, healed.hooks, chat, stop_at="confirmed")
    before = len(healed.telegram.sent_texts(str(chat)))
    key = healed.hooks.telegram_button(chat, "/affirm")
    poll(lambda: healed.assistant.processes["actions"].log_path.stat().st_size > 0, 1, 0.01)
    healed.assistant.kill("actions")
    wait_processed(healed.assistant, key)
    claimed = references(healed.telegram.sent_texts(str(chat))[before:])
    committed = cases_of(healed.assistant.database_url, str(chat))
    assert set(claimed) <= set(committed), (claimed, committed)
    if not claimed:
        finish_after_restart(healed, chat)
    cases = cases_of(healed.assistant.database_url, str(chat))
    assert len(cases) == 1, cases
    assert set(references(healed.telegram.sent_texts(str(chat)))) == set(cases)
