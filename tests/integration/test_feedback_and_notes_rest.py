"""A conversation that turns to a report mid-way, end to end over REST with the real Rasa
server, action server and case database: a problem reported at the feedback's rating
question, more about a report said in the message that asks to add it, and the answers to a
report's questions changed from its summary."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import finish_report, note_reasons, texts
from tests.integration.test_report_replies_rest import _open_cases

pytestmark = pytest.mark.slow


def _feedback_of(database_url: str, sender: str) -> list:
    return _rows_of(database_url, "SELECT text, rating FROM feedback WHERE sender_id = :s",
                    sender)


def _cases_of(database_url: str, sender: str) -> list:
    return _rows_of(database_url, "SELECT reference FROM cases WHERE sender_id = :s", sender)


def _rows_of(database_url: str, query: str, sender: str) -> list:
    """The rows of `query` for the sender (:s), read straight from the servers' database."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query), {"s": sender})]
    finally:
        engine.dispose()


def test_a_problem_at_the_rating_question_sends_the_feedback_and_starts_the_report(
        assistant_servers: AssistantServers) -> None:
    """Before, the report form took over at the rating question and the feedback was lost;
    the report then asked for the place the message had given."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "I'd like to give some feedback")
    assistant_servers.say(sender, "the website is confusing and hard to use")
    replies = texts(assistant_servers.say(sender, "there's a big pothole outside 12 Mill Lane"))
    assert "sent your feedback without a rating" in replies, replies
    assert _feedback_of(assistant_servers.database_url, sender) == [
        ("the website is confusing and hard to use", None)]
    slots = assistant_servers.tracker(sender)["slots"]
    assert (slots["category"], slots["location"]) == ("pothole", "12 Mill Lane"), slots
    reference, asked = finish_report(assistant_servers, sender, replies)
    assert "location" not in asked and "category" not in asked, asked


def test_a_problem_for_a_crew_given_as_feedback_is_reported(
        assistant_servers: AssistantServers) -> None:
    """The streetlight went to the feedback team, and no crew was sent."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "I'd like to give feedback")
    replies = texts(assistant_servers.say(
        sender, "the streetlight outside 4 Elm Road has been out for weeks"))
    assert "I'll take it as a report" in replies, replies
    slots = assistant_servers.tracker(sender)["slots"]
    assert (slots["category"], slots["location"]) == ("streetlight", "4 Elm Road"), slots
    reference, _ = finish_report(assistant_servers, sender, replies)
    assert _feedback_of(assistant_servers.database_url, sender) == []


def test_more_about_a_report_in_the_opening_message_is_the_note(
        assistant_servers: AssistantServers) -> None:
    """"The pothole I reported has got worse" went to a new report that asked "Where is it?";
    now it is a note on the citizen's pothole report, with nothing more asked."""
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "pothole", "streetlight")
    message = "the pothole I reported has got worse, it's twice the size now"
    reply = texts(assistant_servers.say(sender, message))
    assert made["pothole"] in reply and "added" in reply, reply
    assert note_reasons(assistant_servers.database_url, made["pothole"]) == [message]
    assert note_reasons(assistant_servers.database_url, made["streetlight"]) == []


def test_the_answers_can_be_changed_from_the_summary(assistant_servers: AssistantServers) -> None:
    """"Recycling" taken from the description was wrong: "Change answers" asks the questions
    again, none answered from the description, and the summary shows the new answer."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "my recycling bin wasn't collected outside 22 Rose Avenue")
    tracker = assistant_servers.tracker(sender)
    assert tracker["slots"]["followup_answers"] == {"bin_type": "recycling"}, tracker["slots"]
    for _ in range(8):
        requested = assistant_servers.tracker(sender)["slots"]["requested_slot"]
        if requested == "confirmed":
            break
        assistant_servers.say(sender, {"followup": "Tuesday", "photos": "skip",
                                       "consent": "/affirm", "description": "not emptied",
                                       "follow_duplicate": "/deny"}[requested])
    summary = assistant_servers.say(sender, "/inform{\"field\":\"answers\"}")
    assert "Which bin was missed" in texts(summary), texts(summary)
    assistant_servers.say(sender, "garden")
    replies = texts(assistant_servers.say(sender, "Tuesday"))
    assert "Which bin was missed? garden" in replies, replies
    slots = assistant_servers.tracker(sender)["slots"]
    assert slots["followup_answers"]["bin_type"] == "garden"
    assert slots["requested_slot"] == "confirmed"


def test_a_complaint_answered_from_the_faq_can_still_be_sent_as_feedback(
        assistant_servers: AssistantServers) -> None:
    """"The man at the recycling centre was rude to me" is answered with the centre's opening
    hours (the FAQ matches the place). Before, "no" passed "your question" to the FAQ team and
    the complaint went nowhere; now it is offered as feedback, and one tap sends it."""
    sender = str(uuid.uuid4())
    complaint = "the man at the recycling centre was rude to me"
    replies = texts(assistant_servers.say(sender, complaint))
    assert "Did that answer your question?" in replies, replies
    replies = texts(assistant_servers.say(sender, "no"))
    assert "send it to the city as feedback" in replies and "Sorry" not in replies, replies
    replies = texts(assistant_servers.say(sender, "/give_feedback"))
    assert "how would you rate your experience" in replies, replies
    replies = texts(assistant_servers.say(sender, "1"))
    assert "may answer you here" in replies, replies
    assert _feedback_of(assistant_servers.database_url, sender) == [(complaint, 1)]


def test_thanks_for_an_answer_counts_as_it_helped(assistant_servers: AssistantServers) -> None:
    """"Thanks, that helps" to "Did that answer your question?" was "You're welcome" and the
    communications team's tally never heard of it."""
    sender = str(uuid.uuid4())
    question = "can I park on the pavement?"
    replies = texts(assistant_servers.say(sender, question))
    assert "Did that answer your question?" in replies, replies
    replies = texts(assistant_servers.say(sender, "thanks, that helps"))
    assert replies.startswith("Glad that helped."), replies
    assert _rows_of(assistant_servers.database_url,
                    "SELECT helpful FROM faq_queries WHERE question = :s ORDER BY id DESC LIMIT 1",
                    question) == [(True,)]


def test_a_problem_reported_again_is_added_to_the_citizens_own_report(
        assistant_servers: AssistantServers) -> None:
    """"The noise I reported is even louder tonight" is read as a new noise report, and
    used to become a second case. It speaks of their report, and they have one noise report
    open: it is offered straight away, before any place, and added to."""
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "noise")  # at 1 Ash Road
    message = "the noise I reported is even louder tonight"
    offer = texts(assistant_servers.say(sender, message))
    assert "You've reported this already" in offer and made["noise"] in offer, offer
    added = texts(assistant_servers.say(sender, "/affirm"))
    assert made["noise"] in added and "added" in added, added
    assert note_reasons(assistant_servers.database_url, made["noise"]) == [message]
    assert [row[0] for row in _cases_of(assistant_servers.database_url, sender)] == \
        [made["noise"]]  # no second case
    slots = assistant_servers.tracker(sender)["slots"]
    assert slots["requested_slot"] is None and slots["note_case"] is None, slots


def test_the_citizens_own_report_at_the_same_place_is_offered_after_the_place(
        assistant_servers: AssistantServers) -> None:
    """Reported again in words that do not speak of it: the place tells it is theirs."""
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "pothole")  # at 1 Ash Road
    assistant_servers.say(sender, "there's a pothole on the road")
    offer = texts(assistant_servers.say(sender, "1 Ash Road"))
    assert "You've reported this already" in offer and made["pothole"] in offer, offer


@pytest.mark.parametrize("message", [
    "olá, o que se passa com o meu pedido?",  # policy questions: the FAQ offered bin entries
    "hola, ¿qué pasa con mi aviso?",
    "buenos días, ¿cómo va lo mío?",  # a greeting: greeted again
    "hola, quería saber cómo está mi queja",  # feedback: asked for a rating
])
def test_asking_after_ones_report_in_words_the_model_misreads_gets_its_status(
        assistant_servers: AssistantServers, message: str) -> None:
    """components.report_enquiry routes each to the status action, whatever the model read."""
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "pothole")
    reply = texts(assistant_servers.say(sender, message))
    assert made["pothole"] in reply and "?" not in reply, reply  # their report, no FAQ
