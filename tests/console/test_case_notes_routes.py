"""What citizens add to their reports and what caseworkers ask them, seen from the console:
a note flags the case until a caseworker acts; a question reaches the reporter in their
language, is audited, arms the dialogue for the answer, and is refused when it cannot be sent."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Dict

import httpx
import pytest

from bot.case_notes import add_citizen_note
from bot.case_questions import HOLD_WHILE_BUSY, answer_form_events
from bot.db import session_scope
from bot.models import Case
from tests.console.case_console import (FakeRasa, audits, console, fake_rasa,  # noqa: F401
                                        new_case, outbox, people, post)
from tests.console.harness import ConsoleServer


@pytest.mark.parametrize("says_fixed, label, line", [
    (False, "citizen added information", "citizen note"),
    # the caseworker sees from the list that the job is to check and close it
    (True, "citizen says it is fixed", "says fixed")])
def test_a_citizens_note_is_on_the_case_page_and_flagged_until_a_change(
        console: ConsoleServer, people: Dict[str, httpx.Client], says_fixed: bool, label: str,
        line: str) -> None:
    street = "Nte" + uuid.uuid4().hex[:6]
    case = new_case(console, address=f"4 {street} Rd")
    with session_scope(console.database_url) as session:
        add_citizen_note(session, session.get(Case, case.id), "It is <b>twice</b> as big now",
                         says_fixed=says_fixed)
    listed = people["highways"].get("/cases", params={"area": street, "attention": "1"})
    assert case.reference in listed.text
    assert f"Needs attention: {label}" in listed.text
    page = people["highways"].get(f"/cases/{case.reference}")
    assert f"{line}: It is &lt;b&gt;twice&lt;/b&gt; as big now" in page.text
    assert f"Needs attention: {label}" in page.text
    post(people["highways"], f"/cases/{case.reference}/status", status="acknowledged",
         reason="Crew booked for Monday")
    after = people["highways"].get("/cases", params={"area": street, "attention": "1"})
    assert case.reference not in after.text


@pytest.mark.parametrize("who, notice, armed", [
    ("web-idle", "question", True), ("web-busy", "question_held", False),
    ("web-held", "question_later", False), ("web-rasa-down", "question_rasa", False)])
def test_a_question_reaches_the_reporter_in_their_language_and_arms_the_answer(
        console: ConsoleServer, people: Dict[str, httpx.Client], who: str, notice: str,
        armed: bool) -> None:
    sender = f"{who}-{uuid.uuid4().hex[:8]}"
    case = new_case(console, sender_id=sender, language="es")
    page = people["highways"].get(f"/cases/{case.reference}")
    assert 'id="question-form"' in page.text and "Spanish" in page.text
    answer = post(people["highways"], f"/cases/{case.reference}/question",
                  question="  ¿En qué lado   de la calle está?  ")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"notice={notice}#ask")
    [message] = outbox(console, case.id)
    assert (message.kind, message.language, message.recipient) == ("case_question", "es", sender)
    # held back while they are busy with a report: "reply here" would answer into it
    held = message.next_attempt_at - message.created_at
    assert held == (HOLD_WHILE_BUSY if who == "web-busy" else dt.timedelta(0))
    assert message.body.startswith(f"Sobre su aviso {case.reference} (")
    assert "nuestro equipo pregunta: ¿En qué lado de la calle está? Responda aquí" in message.body
    [entry] = audits(console, case.reference)
    assert entry.action == "case.question_asked"
    assert entry.after["question"] == "¿En qué lado de la calle está?"
    assert entry.after["held"] is (who == "web-busy")
    history = people["highways"].get(f"/cases/{case.reference}").text
    assert "question asked: ¿En qué lado de la calle está?" in history
    [waiting] = re.findall(r'<p id="open-question"[^>]*>(.*?)</p>', history, re.S)
    assert "Waiting for the reporter's answer" in waiting.replace("&#39;", "'")
    assert '"¿En qué lado de la calle está?"' in waiting
    with session_scope(console.database_url) as session:
        add_citizen_note(session, session.get(Case, case.id), "El izquierdo")
    answered = people["highways"].get(f"/cases/{case.reference}").text
    assert 'id="open-question"' not in answered and "citizen note: El izquierdo" in answered
    sent = [body for path, body in FakeRasa.received if sender in path]
    assert (sent == [answer_form_events(case.reference)]) is armed


@pytest.mark.parametrize("consent, question, refused", [
    (False, "Which side of the road?", "did not agree to hear from us"),
    (True, "   ", "write the question"),
    (True, "x" * 601, "keep it under 600"),
])
def test_a_question_that_cannot_be_sent_is_refused_and_kept(
        console: ConsoleServer, people: Dict[str, httpx.Client], consent: bool,
        question: str, refused: str) -> None:
    case = new_case(console, consent=consent)
    if not consent:
        page = people["highways"].get(f"/cases/{case.reference}").text
        assert 'id="question-form"' not in page and "did not agree to hear from us" in page
    answer = post(people["highways"], f"/cases/{case.reference}/question", question=question)
    assert answer.status_code == 400 and refused in answer.text.lower()
    assert outbox(console, case.id) == [] and audits(console, case.reference) == []
