"""Answering a citizen's feedback from the console's feedback inbox, in headless Chromium, on
the console as `make run` starts it (`python -m console`, on a database of the test's own):

two pieces of feedback are waiting (a Spanish web chat complaint rated 2, and praise rated 5
that came through the REST API) -> a comms user signs in, follows "Feedback" in the main
navigation, finds both (newest first, 2 not handled yet), opens the complaint and sends an
answer -> the page says it was queued and shows the answer, the feedback is handled by them,
and the outbox holds exactly one message to that web chat session, in Spanish, wrapping the
answer as typed -> the REST one says it cannot be answered and is marked handled without an
answer -> nothing is left to read. axe-core scans the list and the detail pages on the way.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, List, Tuple

import pytest
from sqlalchemy import select

from bot.clock import utc_naive
from bot.db import session_scope
from bot.feedback import record_feedback
from bot.models import Feedback, OutboxMessage
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.console_pages import STAFF_WAIT_MS, sign_in, staff_page  # noqa: F401 (fixture)
from tests.console.harness import (ConsoleServer, console_factory,  # noqa: F401 (fixtures)
                                   console_server, create_staff_account)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser]

WEBCHAT_SESSION = "web-feedback-journey-1"
REST_SENDER = "rest-feedback-journey-1"
COMPLAINT = "los basureros fueron muy maleducados con mi madre"
PRAISE = "great service"
ANSWER = ("Lo sentimos mucho. Hemos hablado con el equipo de recogida de su calle y no "
          "volverá a ocurrir.")
EXPECTED_BODY = (f"Gracias por su opinión. Nuestra respuesta: {ANSWER} Puede responder aquí "
                 "si necesita algo más.")


def seed_feedback(database_url: str) -> Tuple[int, int]:
    """The complaint (the newer, though written first: the list orders by time, not id) and
    the praise; their ids."""
    now = utc_naive()
    with session_scope(database_url) as session:
        complaint = record_feedback(session, sender_id=WEBCHAT_SESSION, channel="webchat",
                                    text=COMPLAINT, rating=2, language="es",
                                    now=now - dt.timedelta(hours=1))
        praise = record_feedback(session, sender_id=REST_SENDER, channel="rest", text=PRAISE,
                                 rating=5, language="en", now=now - dt.timedelta(hours=3))
        return complaint.id, praise.id


def list_rows(page: "Page") -> List[str]:
    return page.locator("#feedback-list tbody tr").all_inner_texts()


def answer_the_complaint(page: "Page", console: ConsoleServer, username: str,
                         complaint_id: int) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback",
                                                            exact=True).click()
    page.wait_for_url(f"{console.url}/feedback", timeout=STAFF_WAIT_MS)
    assert page.text_content("#open-count") == "2"
    assert page.text_content("#feedback-count") == "2 pieces of feedback."
    assert page.text_content("#average-rating") == "3.5 / 5 from 2 ratings"
    rows = list_rows(page)
    assert len(rows) == 2, rows
    assert COMPLAINT in rows[0] and "2 / 5" in rows[0] and "webchat" in rows[0], rows
    assert PRAISE in rows[1] and "5 / 5" in rows[1] and "rest" in rows[1], rows
    assert all("to read" in row for row in rows), rows
    assert_no_serious_violations(page, "the feedback list")

    page.locator("#feedback-list tbody tr", has_text=COMPLAINT).get_by_role("link").click()
    page.wait_for_url(f"{console.url}/feedback/{complaint_id}", timeout=STAFF_WAIT_MS)
    assert page.text_content("#feedback-text") == COMPLAINT
    assert page.text_content("#feedback-status") == "not handled yet"
    assert "(es)" in page.text_content("#reply-hint")
    assert page.locator("#cannot-reply").count() == 0
    assert_no_serious_violations(page, "a feedback page with the reply form")

    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send answer").click()
    page.wait_for_url(f"**/feedback/{complaint_id}?done=replied", timeout=STAFF_WAIT_MS)
    assert page.text_content(".notice").strip().startswith(
        "Answer queued for sending to the citizen.")
    assert page.text_content("#feedback-reply") == ANSWER
    assert page.text_content("#feedback-status").startswith(f"handled by {username} on ")
    assert page.locator("#reply-form").count() == 0  # answered once, never twice
    assert page.locator("#handled-form").count() == 0
    assert_no_serious_violations(page, "a feedback page after the answer")


def close_the_praise(page: "Page", console: ConsoleServer, username: str,
                     praise_id: int) -> None:
    page.get_by_role("link", name="Feedback inbox").click()
    page.wait_for_url(f"{console.url}/feedback", timeout=STAFF_WAIT_MS)
    assert page.text_content("#open-count") == "1"
    [row] = list_rows(page)
    assert PRAISE in row

    page.locator("#feedback-list tbody tr", has_text=PRAISE).get_by_role("link").click()
    page.wait_for_url(f"{console.url}/feedback/{praise_id}", timeout=STAFF_WAIT_MS)
    assert "which cannot carry a message back to the citizen" in \
        page.text_content("#cannot-reply")
    assert "'rest'" in page.text_content("#cannot-reply")
    assert page.locator("#reply-form").count() == 0
    assert_no_serious_violations(page, "a feedback page that cannot be answered")

    page.get_by_role("button", name="Mark handled without answering").click()
    page.wait_for_url(f"**/feedback/{praise_id}?done=handled", timeout=STAFF_WAIT_MS)
    assert page.text_content(".notice").strip() == "Marked handled."
    assert page.text_content("#feedback-status").startswith(f"handled by {username} on ")
    assert page.locator("#handled-form").count() == 0
    assert page.locator("#feedback-reply").count() == 0

    page.goto(f"{console.url}/feedback")
    assert page.text_content("#open-count") == "0"
    assert page.text_content("#feedback-count") == "0 pieces of feedback."
    assert list_rows(page) == ["No feedback matches these filters."]
    assert_no_serious_violations(page, "the feedback list with nothing to read")

    page.select_option("#filter-status", "all")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/feedback?status=all*", timeout=STAFF_WAIT_MS)
    rows = list_rows(page)
    assert len(rows) == 2, rows
    assert COMPLAINT in rows[0] and "answered" in rows[0], rows
    assert PRAISE in rows[1] and "handled" in rows[1] and "to read" not in rows[1], rows


def test_a_comms_officer_answers_feedback_on_the_citizens_channel_in_their_language(
        console_server: ConsoleServer, staff_page: "Page", tmp_path: Path) -> None:  # noqa: F811
    complaint_id, praise_id = seed_feedback(console_server.database_url)
    username, password = create_staff_account(console_server.database_url, "comms")

    try:
        sign_in(staff_page, console_server.url, username, password)
        answer_the_complaint(staff_page, console_server, username, complaint_id)
        with session_scope(console_server.database_url) as session:
            messages = session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == "feedback_reply")).scalars().all()
            assert [(m.channel, m.recipient, m.language, m.body, m.status)
                    for m in messages] == [
                ("webchat", WEBCHAT_SESSION, "es", EXPECTED_BODY, "pending")]
            complaint = session.get(Feedback, complaint_id)
            assert (complaint.reply, complaint.handled_by) == (ANSWER, username)
            assert complaint.handled_at is not None

        close_the_praise(staff_page, console_server, username, praise_id)
    except Exception:
        staff_page.screenshot(path=str(tmp_path / "feedback-inbox.png"), full_page=True)
        raise

    with session_scope(console_server.database_url) as session:
        messages = session.execute(select(OutboxMessage)).scalars().all()
        # the praise was closed without a message; the complaint's answer is still the only one
        assert [(m.kind, m.recipient) for m in messages] == [("feedback_reply", WEBCHAT_SESSION)]
        praise = session.get(Feedback, praise_id)
        assert (praise.reply, praise.handled_by) == (None, username)
        assert praise.handled_at is not None
