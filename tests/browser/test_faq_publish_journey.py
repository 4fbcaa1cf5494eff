"""Publishing an FAQ answer end to end, in headless Chromium, against the real assistant as
`make run` starts it (`assistant_servers`: Rasa, the action server, the console and the
dispatcher on one temp SQLite database):

a comms user signs in to the console and creates a new entry (a draft) -> the citizen asks it
in the web chat and is NOT given it (drafts are never served) -> the comms user publishes it
-> the citizen's next message asking it gets the answer, with no retraining and no restart
(the console and the action server are different processes) -> both questions are in the
answer log, the second with the new entry and its version -> a second citizen asks something
the answer does not cover, gets it anyway and taps "No" -> the comms user finds that question
on the page of answers citizens said missed.

And "is it one of these?": a citizen asks what no entry answers but several come close to, is
offered them as buttons, taps "None of these" (and is offered a person), asks again and taps
one (and gets its answer) -> the comms user finds the question among the unanswered ones,
with the entry it was offered instead.
"""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import FaqEntry, FaqQuery
from tests.console.harness import create_staff_account
from tests.browser.console_pages import sign_in, staff_page  # noqa: F401 (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import ChatPage
    from tests.integration.servers import AssistantServers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 30_000
QUESTION = "how do I apply for a permit to fish in the river"
NEAR_MISS = "can I fish in the river at night with a permit"
ANSWER = "Fishing permits for the River Riv cost 12 pounds a year from the Town Hall."


def create_draft(page: "Page", console_url: str, topic: str) -> None:
    page.goto(f"{console_url}/faq")
    page.click("text=New entry")
    page.fill("#topic", topic)
    page.fill("#questions_en", f"{QUESTION}\nwhere can I buy a fishing permit\nfishing licence")
    page.fill("#answer_en", ANSWER)
    page.fill("#links", "Fishing permits | https://www.riverton.example.gov/fishing")
    # the live SMS counter (static/faq.js) answers from the server while the editor types
    page.wait_for_function(
        "() => document.getElementById('counter_en').textContent.includes('GSM-7')",
        timeout=WAIT_MS)
    page.click("#create")
    page.wait_for_selector("#faq-state", timeout=WAIT_MS)
    assert "draft" in page.locator("#faq-state").inner_text()


def publish(page: "Page") -> None:
    page.click("#publish")
    page.wait_for_selector("text=Published. The assistant answers with it", timeout=WAIT_MS)
    assert "citizens get version 1" in page.locator("#faq-state").inner_text()


def test_a_published_entry_answers_the_next_web_chat_message(
        assistant_servers: "AssistantServers", staff_page: "Page", chat: "ChatPage",
        chat_url: str) -> None:
    database_url, topic = assistant_servers.database_url, f"fishing-{uuid.uuid4().hex[:6]}"
    username, password = create_staff_account(database_url, "comms")
    sign_in(staff_page, assistant_servers.console_url, username, password)
    create_draft(staff_page, assistant_servers.console_url, topic)

    chat.open(chat_url)
    before = " ".join(chat.send_text(QUESTION))
    assert ANSWER not in before, "a draft was served to a citizen"

    publish(staff_page)
    after = " ".join(chat.send_text(QUESTION))
    assert ANSWER in after and "https://www.riverton.example.gov/fishing" in after

    with session_scope(database_url) as session:
        entry = session.execute(select(FaqEntry).where(FaqEntry.topic == topic)).scalar_one()
        logged = session.execute(select(FaqQuery).where(FaqQuery.question == QUESTION)
                                 .order_by(FaqQuery.id)).scalars().all()
        first, second = logged[-2:]
        # before publishing: not this entry (unanswered, or a best guess among the others)
        assert first.entry_id != entry.id and first.channel == "webchat"
        assert (second.answered, second.entry_id, second.version, second.channel) == (
            True, entry.id, 1, "webchat")
        entry_id = entry.id

    missed_by_a_citizen(staff_page, assistant_servers.console_url, chat, chat_url, entry_id)


def missed_by_a_citizen(page: "Page", console_url: str, chat: "ChatPage", chat_url: str,
                        entry_id: int) -> None:
    """A citizen says the answer missed; the comms user sees their question and the entry."""
    chat.page.context.clear_cookies()
    chat.page.evaluate("localStorage.clear()")  # a new citizen in the same browser
    chat.open(chat_url)
    answered = " ".join(chat.send_text(NEAR_MISS))
    assert ANSWER in answered and "Did that answer your question?" in answered
    assert chat.choices() == ["Yes", "No"]
    after_no = " ".join(chat.click_choice("No"))
    assert "passed your question to the team" in after_no
    assert chat.choices() == ["Yes, talk to a person", "No, thanks"]

    page.goto(f"{console_url}/faq/missed")
    row = page.locator("#missed tbody tr").first
    assert NEAR_MISS in row.inner_text()
    assert row.locator(f'a[href="/faq/{entry_id}"]').count() == 1


BARKING_DOG = "what do I do about a dog that barks"  # no entry; dog fouling shares its words
DOG_FOULING_TITLE = "What is the fine for dog fouling?"  # that entry's first question


def test_a_citizen_picks_from_the_answers_offered_when_none_is_clear(
        assistant_servers: "AssistantServers", staff_page: "Page", chat: "ChatPage",
        chat_url: str) -> None:
    chat.open(chat_url)
    offered = " ".join(chat.send_text(BARKING_DOG))
    assert "Is it one of these?" in offered
    choices = chat.choices()
    assert DOG_FOULING_TITLE in choices and choices[-1] == "None of these", choices
    declined = " ".join(chat.click_choice("None of these"))
    assert "passed your question to the team" in declined
    assert chat.choices() == ["Yes, talk to a person", "No, thanks"]

    chat.send_text(BARKING_DOG)
    picked = " ".join(chat.click_choice(DOG_FOULING_TITLE))
    assert "Not picking up after your dog" in picked and "Did that answer your question?" in picked

    username, password = create_staff_account(assistant_servers.database_url, "comms")
    sign_in(staff_page, assistant_servers.console_url, username, password)
    staff_page.goto(f"{assistant_servers.console_url}/faq/unanswered")
    row = staff_page.locator("#unanswered tbody tr", has_text=BARKING_DOG.lower()).first
    assert row.locator("td").first.inner_text() == "1"  # the picked one was answered
    assert row.locator("a", has_text="dog-fouling").count() == 1
