"""A citizen reports a pothole over the REST channel, end to end: Rasa server, action server and
case database as `make run` starts them. The case must exist once, whatever is retried, and
survive a restart of the assistant on the same database.

The conversation is driven by what the bot asks for (the form's requested_slot in the tracker),
in the order category, location, description, followup, photos, consent, confirmed.
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Callable, Dict, List, Tuple

import pytest
from sqlalchemy import create_engine, text

from tests.integration.servers import AssistantServers

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
FIRST_MESSAGE = "there's a huge pothole on Elm street outside number 5"
MAX_TURNS = 15
FORM_ORDER = ["category", "category_suggestion", "location", "follow_duplicate", "description",
              "followup", "photos", "consent", "confirmed"]

# What a citizen answers to each question of the report form.
ANSWERS: Dict[str, str] = {
    "category": '/inform{"category":"pothole"}',
    "category_suggestion": '/inform{"category":"pothole"}',
    "location": "outside number 5 Elm Street",
    # asked when an open pothole case is already at that address (an earlier test's report)
    "follow_duplicate": "/deny",
    "description": "A deep pothole about a metre wide in the middle of the road",
    "followup": "skip",
    "photos": "skip",
    "consent": "/affirm",
    "confirmed": "/affirm",
}


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def report_pothole(servers: AssistantServers, sender: str,
                   meanwhile: Callable[[], None] = lambda: None) -> Tuple[str, List[str]]:
    """Walk the report form to the end, calling `meanwhile` after the first message; the
    case reference and every slot asked for."""
    transcript = texts(servers.say(sender, FIRST_MESSAGE))
    meanwhile()
    return finish_report(servers, sender, transcript)


def finish_report(servers: AssistantServers, sender: str,
                  transcript: str) -> Tuple[str, List[str]]:
    """Answer the report form's questions until it is sent; the reference and the slots."""
    asked: List[str] = []
    for _ in range(MAX_TURNS):
        tracker = servers.tracker(sender)
        requested = tracker["slots"].get("requested_slot")
        if requested is None or (tracker.get("active_loop") or {}).get("name") != "report_form":
            break  # sent (a form that starts next, like a caseworker's question, is not ours)
        assert requested in ANSWERS, f"unexpected question {requested!r}:\n{transcript}"
        asked.append(requested)
        last_reply = texts(servers.say(sender, ANSWERS[requested]))
        transcript += "\n" + last_reply
    found = REFERENCE.findall(last_reply) if asked else []
    assert found, f"no case reference in the last reply (asked {asked}):\n{transcript}"
    return found[0], asked  # the one it was saved as (a question on another may follow)


def cases_where(database_url: str, condition: str, **params: Any) -> List[Dict[str, Any]]:
    """Rows of the cases table, read straight from the database the servers write to."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT reference, service_code, status, sender_id FROM cases WHERE {condition}"),
                params)
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def test_pothole_report_over_rest_creates_one_case(assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    reference, asked = report_pothole(assistant_servers, sender)

    # Slots the first message already answered are not asked again; the rest come in form order.
    positions = [FORM_ORDER.index(slot) for slot in asked]
    assert positions == sorted(positions), asked
    assert asked[-2:] == ["consent", "confirmed"], asked
    rows = cases_where(assistant_servers.database_url, "reference = :ref", ref=reference)
    assert len(rows) == 1
    assert rows[0]["service_code"] == "pothole"
    assert rows[0]["sender_id"] == sender


def test_resent_confirmation_keeps_one_case(assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    reference, _ = report_pothole(assistant_servers, sender)

    assistant_servers.say(sender, ANSWERS["confirmed"])

    rows = cases_where(assistant_servers.database_url, "sender_id = :sender", sender=sender)
    assert [row["reference"] for row in rows] == [reference]


def test_second_citizen_follows_the_open_case_instead_of_opening_another(
        assistant_servers: AssistantServers) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    report_pothole(assistant_servers, first)  # at least one open pothole case at 5 Elm Street
    assistant_servers.say(second, FIRST_MESSAGE)
    transcript, asked = "", []
    for _ in range(MAX_TURNS):
        requested = assistant_servers.tracker(second)["slots"].get("requested_slot")
        if requested is None or requested == "follow_duplicate":
            break
        asked.append(requested)
        assistant_servers.say(second, ANSWERS[requested])
    assert requested == "follow_duplicate", f"no duplicate offer (asked {asked})"
    transcript = texts(assistant_servers.say(second, "/affirm"))

    named = REFERENCE.findall(transcript)
    assert named, transcript
    reference = named[-1]  # the open case the bot offered (earlier tests may have reported here too)
    (case,) = cases_where(assistant_servers.database_url, "reference = :r", r=reference)
    assert case["service_code"] == "pothole" and case["status"] == "new"
    assert cases_where(assistant_servers.database_url, "sender_id = :s", s=second) == []
    engine = create_engine(assistant_servers.database_url, future=True)
    try:
        with engine.connect() as connection:
            followers = connection.execute(text(
                "SELECT c.reference FROM case_followers f JOIN cases c ON c.id = f.case_id "
                "WHERE f.sender_id = :s"), {"s": second}).scalars().all()
    finally:
        engine.dispose()
    assert followers == [reference]


def test_status_question_answers_with_the_case_status(assistant_servers: AssistantServers) -> None:
    from bot.services import status_text

    sender = str(uuid.uuid4())
    reference, _ = report_pothole(assistant_servers, sender)

    reply = texts(assistant_servers.say(sender, f"any news on {reference}?"))

    status = cases_where(assistant_servers.database_url, "reference = :ref", ref=reference)[0]["status"]
    assert status == "new"
    assert reference in reply
    assert status_text(status, "en").label in reply, reply
    events = assistant_servers.tracker(sender)["events"]
    uttered = [event.get("metadata", {}).get("utter_action") for event in events
               if event.get("event") == "bot"]
    assert uttered[-1] in {"utter_case_status", "utter_case_status_private"}, (uttered, reply)


def test_a_citizen_adds_words_to_their_report_and_a_stranger_cannot(
        assistant_servers: AssistantServers) -> None:
    sender, stranger = str(uuid.uuid4()), str(uuid.uuid4())
    reference, _ = report_pothole(assistant_servers, sender)

    asked = texts(assistant_servers.say(sender, "I forgot to mention something in my report"))
    assert reference in asked, asked  # the report just made is the one, without a question
    done = texts(assistant_servers.say(sender, "It is right in front of the school gate"))
    assert reference in done and "added" in done, done
    notes = note_reasons(assistant_servers.database_url, reference)
    assert notes == ["It is right in front of the school gate"]

    assistant_servers.say(stranger, f"I want to add a photo to {reference}")
    refused = texts(assistant_servers.say(stranger, reference))
    assert "another conversation" in refused, refused
    assert note_reasons(assistant_servers.database_url, reference) == notes


def caseworker_asks(servers: AssistantServers, sender: str, reference: str,
                    question: str) -> bool:
    """What the console's "Ask the reporter" does (console.case_routes.ask): ask Rasa whether
    the citizen is in the middle of a form, queue the question (held back if they are), then
    arm the answer form through Rasa's API; whether it was armed (not while they are busy)."""
    import asyncio

    from bot.case_questions import answer_form_events, ask_reporter
    from bot.cases import find_case
    from bot.db import session_scope
    from console.rasa_client import RasaClient

    client = RasaClient(servers.rasa_url)
    busy = asyncio.run(client.in_a_form(sender))
    with session_scope(servers.database_url) as session:
        ask_reporter(session, find_case(session, reference), question, by="ana", hold=busy)
    return not busy and asyncio.run(client.expect_answer(sender, answer_form_events(reference)))


def test_a_caseworkers_question_is_answered_by_the_next_message(
        assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    reference, _ = report_pothole(assistant_servers, sender)
    assert caseworker_asks(assistant_servers, sender, reference, "Which side of the road?")

    reply = texts(assistant_servers.say(sender, "The left side, by the bus stop"))
    assert reference in reply and "passed your answer" in reply, reply
    assert note_reasons(assistant_servers.database_url, reference) == [
        "The left side, by the bus stop"]
    assert assistant_servers.tracker(sender).get("active_loop", {}).get("name") is None

    # a bare "no" answers a yes/no question instead of cancelling
    assert caseworker_asks(assistant_servers, sender, reference, "Is it still there?")
    reply = texts(assistant_servers.say(sender, "no"))
    assert "passed your answer" in reply, reply
    assert note_reasons(assistant_servers.database_url, reference)[-1] == "no"

    # the words the question's prompt offers still decline to answer
    assert caseworker_asks(assistant_servers, sender, reference, "Can we call you?")
    reply = texts(assistant_servers.say(sender, "CANCEL IT"))
    assert "haven't added anything" in reply, reply
    assert len(note_reasons(assistant_servers.database_url, reference)) == 2


def test_a_question_asked_during_a_report_is_put_once_the_report_is_done(
        assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    earlier, _ = report_pothole(assistant_servers, sender)

    def ask_while_busy() -> None:  # the report must not be cut short: nothing is armed
        assert not caseworker_asks(assistant_servers, sender, earlier, "Is it by the bus stop?")

    tracker_before = len(assistant_servers.tracker(sender)["events"])
    second, _ = report_pothole(assistant_servers, sender, meanwhile=ask_while_busy)
    assert second != earlier
    said = [event.get("text") or "" for event in
            assistant_servers.tracker(sender)["events"][tracker_before:]
            if event.get("event") == "bot"]
    assert second in said[-2] and "Is it by the bus stop?" in said[-1], said[-3:]
    assert earlier in said[-1]
    reply = texts(assistant_servers.say(sender, "Yes, right next to it"))
    assert "passed your answer" in reply and earlier in reply, reply
    assert note_reasons(assistant_servers.database_url, earlier) == ["Yes, right next to it"]
    assert note_reasons(assistant_servers.database_url, second) == []
    # the message with the question was held while they reported, and is withdrawn: the
    # conversation asked it, so it is not sent as well
    assert question_messages(assistant_servers.database_url, earlier) == ["suppressed"]


def test_a_new_problem_instead_of_the_answer_is_reported_and_the_question_waits(
        assistant_servers: AssistantServers) -> None:
    """Days after a question about a pothole, "the streetlight ... is out" is a new report,
    not the answer; the question is put again once that report is sent."""
    sender = str(uuid.uuid4())
    pothole, _ = report_pothole(assistant_servers, sender)
    assert caseworker_asks(assistant_servers, sender, pothole, "Which side of the road?")

    opening = texts(assistant_servers.say(
        sender, "the streetlight outside 7 Park Lane has been dark for a week"))
    assert "new problem" in opening and pothole in opening, opening
    streetlight, _ = finish_report(assistant_servers, sender, opening)
    [row] = cases_where(assistant_servers.database_url, "reference = :r", r=streetlight)
    assert row["service_code"] == "streetlight"
    said = [event.get("text") or "" for event in assistant_servers.tracker(sender)["events"]
            if event.get("event") == "bot"]
    assert "Which side of the road?" in said[-1] and pothole in said[-1], said[-3:]

    reply = texts(assistant_servers.say(sender, "The left side"))
    assert "passed your answer" in reply and pothole in reply, reply
    assert note_reasons(assistant_servers.database_url, pothole) == ["The left side"]
    assert note_reasons(assistant_servers.database_url, streetlight) == []


def question_messages(database_url: str, reference: str) -> List[str]:
    return _of_case(database_url, reference,
                    "SELECT o.status FROM outbox o JOIN cases c ON c.id = o.case_id "
                    "WHERE c.reference = :r AND o.kind = 'case_question' ORDER BY o.id")


def note_reasons(database_url: str, reference: str) -> List[str]:
    return _of_case(database_url, reference,
                    "SELECT e.reason FROM case_events e JOIN cases c ON c.id = e.case_id "
                    "WHERE c.reference = :r AND e.kind = 'citizen_note' ORDER BY e.id")


def _of_case(database_url: str, reference: str, query: str) -> List[str]:
    """One column of rows about the case with this reference (:r in the query)."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query), {"r": reference}).scalars())
    finally:
        engine.dispose()


def test_cases_survive_restarting_the_assistant_on_the_same_database(
        assistant_factory: Callable[..., AssistantServers]) -> None:
    first = assistant_factory()
    sender = str(uuid.uuid4())
    reference, _ = report_pothole(first, sender)

    second = assistant_factory(restart_of=first)
    third = assistant_factory(restart_of=second)

    rows = cases_where(third.database_url, "1 = 1")
    assert [row["reference"] for row in rows] == [reference], third.log_tail()
    earlier = [event.get("text") or "" for event in third.tracker(sender)["events"]
               if event.get("event") == "bot"]
    assert any(reference in said for said in earlier), "conversation lost across restarts"
    reply = texts(third.say(str(uuid.uuid4()), f"any news on {reference}?"))
    assert reference in reply and "couldn't find" not in reply, third.log_tail()


@pytest.mark.parametrize("chit_chat", [
    "what's the weather like tomorrow",
    "book me a flight to Madrid",
    "tell me a joke",
    "who won the football last night",
])
def test_chit_chat_never_opens_a_case(assistant_servers: AssistantServers, chit_chat: str) -> None:
    sender = str(uuid.uuid4())

    reply = texts(assistant_servers.say(sender, chit_chat))

    tracker = assistant_servers.tracker(sender)
    assert tracker["latest_message"]["intent"]["name"] in {"out_of_scope", "nlu_fallback"}, reply
    assert tracker.get("active_loop", {}).get("name") != "report_form"
    assert cases_where(assistant_servers.database_url, "sender_id = :sender", sender=sender) == []
    assert reply.strip(), "the citizen was left without an answer"


@pytest.mark.parametrize("report, category", [
    ("the lamp outside number 12 has been dark all week", "streetlight"),
    ("someone dumped a mattress in the alley", "illegal_dumping"),
    ("HUGE HOLE IN THE ROAD ON BRIDGE ST my tyre burst", "pothole"),
    ("bins wasnt emptied again this week on our road", "missed_collection"),
])
def test_model_parse_names_the_service_a_report_implies(assistant_servers: AssistantServers,
                                                        report: str, category: str) -> None:
    import requests

    response = requests.post(f"{assistant_servers.rasa_url}/model/parse", json={"text": report},
                             timeout=30)

    response.raise_for_status()
    parsed = response.json()
    assert parsed["intent"]["name"] == "report_problem", parsed["intent"]
    found = [entity for entity in parsed["entities"] if entity["entity"] == "category"]
    assert [entity["value"] for entity in found] == [category], parsed["entities"]
    assert 0 < found[0]["confidence_entity"] <= 1
