"""console/feedback_routes.py over HTTP on the real console (`python -m console`): the
communications team reads citizens' feedback, answers it on the citizen's channel, and marks
it handled; refusals come back on the page with what was typed."""
from __future__ import annotations

import re
from typing import Callable, Optional, Tuple

import httpx
import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.feedback import record_feedback
from bot.models import OutboxMessage
from tests.console.harness import ConsoleServer

SENDER = "+447700900123"


@pytest.fixture
def console(console_factory: Callable[..., ConsoleServer]) -> ConsoleServer:
    return console_factory()


@pytest.fixture
def comms(console: ConsoleServer, make_staff: Callable[..., Tuple[str, str]],
          staff_client: Callable[..., httpx.Client]) -> httpx.Client:
    return staff_client(console, *make_staff(console.database_url, "comms"))


def given(console: ConsoleServer, text: str, rating: Optional[int] = 2,
          channel: str = "sms") -> int:
    with session_scope(console.database_url) as session:
        return record_feedback(session, sender_id=SENDER, channel=channel, text=text,
                               rating=rating, language="nl").id


def post(client: httpx.Client, path: str, **form: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": client.csrf, **form})  # type: ignore[attr-defined]


def test_the_inbox_lists_feedback_and_shows_a_citizens_words_as_text(
        console: ConsoleServer, comms: httpx.Client) -> None:
    feedback_id = given(console, "<script>alert(1)</script> de vuilnismannen waren onbeleefd")
    page = comms.get("/feedback")
    assert page.status_code == 200
    assert f'href="/feedback/{feedback_id}"' in page.text
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    assert re.search(r'id="open-count">\s*1\s*<', page.text)
    assert 'href="/feedback"' in page.text  # the navigation link


def test_an_answer_is_queued_for_the_citizen_and_shown(console: ConsoleServer,
                                                        comms: httpx.Client) -> None:
    feedback_id = given(console, "de vuilnismannen waren onbeleefd tegen mijn moeder")
    sent = post(comms, f"/feedback/{feedback_id}/reply",
                reply="Excuses daarvoor. We hebben het met de ploeg besproken.")
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/feedback/{feedback_id}?done=replied"
    page = comms.get(sent.headers["location"])
    assert "Answer queued for sending" in page.text
    assert "We hebben het met de ploeg besproken." in page.text and 'id="reply-form"' not in page.text
    with session_scope(console.database_url) as session:
        [message] = session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "feedback_reply")).scalars().all()
        assert (message.channel, message.recipient, message.language) == ("sms", SENDER, "nl")
        assert message.body.startswith("Bedankt voor uw feedback.")
    assert post(comms, f"/feedback/{feedback_id}/reply", reply="Nog eens").status_code == 400


def test_an_overlong_answer_comes_back_with_what_was_typed(console: ConsoleServer,
                                                          comms: httpx.Client) -> None:
    feedback_id = given(console, "de website is traag")
    answer = "Bedankt " * 100
    refused = post(comms, f"/feedback/{feedback_id}/reply", reply=answer)
    assert refused.status_code == 400
    assert "The answer was not sent" in refused.text and "characters long" in refused.text
    assert answer.strip()[:40] in refused.text
    with session_scope(console.database_url) as session:
        assert session.execute(select(OutboxMessage)).first() is None


def test_feedback_from_a_channel_that_cannot_answer_is_marked_handled(
        console: ConsoleServer, comms: httpx.Client) -> None:
    feedback_id = given(console, "great service", rating=5, channel="rest")
    page = comms.get(f"/feedback/{feedback_id}")
    assert 'id="cannot-reply"' in page.text and 'id="reply-form"' not in page.text
    done = post(comms, f"/feedback/{feedback_id}/handled")
    assert done.status_code == 303
    assert "handled by comms-" in comms.get(done.headers["location"]).text
    assert "No feedback matches these filters." in comms.get("/feedback").text
    assert f'href="/feedback/{feedback_id}"' in comms.get("/feedback?status=handled").text


@pytest.mark.parametrize("path, status", [
    ("/feedback/424242", 404), ("/feedback?status=pending", 400),
    ("/feedback?rating=terrible", 400), ("/feedback?page=abc", 200),
])
def test_unknown_feedback_and_filters_get_a_clear_page(path: str, status: int,
                                                       console: ConsoleServer,
                                                       comms: httpx.Client) -> None:
    response = comms.get(path)
    assert response.status_code == status
    if status != 200:
        assert "Back to the feedback inbox" in response.text


def test_the_inbox_pages_fifty_at_a_time(console: ConsoleServer, comms: httpx.Client) -> None:
    for number in range(51):
        given(console, f"feedback number {number}", rating=4)
    first = comms.get("/feedback?rating=high")
    assert first.text.count('href="/feedback/') == 50 and "Page 1 of 2" in first.text
    assert 'href="/feedback?status=open&amp;rating=high&amp;page=2" rel="next"' in first.text
    second = comms.get("/feedback?rating=high&page=2")
    assert second.text.count('href="/feedback/') == 1 and "feedback number 0" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
