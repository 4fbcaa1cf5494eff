"""Replies in the report form that do not answer the question asked, end to end over REST with
the real Rasa server, action server and case database: more about the problem at the place
question, a bare option the model alone reads as something else, and a problem described
where a report to add to was asked for."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import _of_case, finish_report, texts

pytestmark = pytest.mark.slow


def test_more_about_the_problem_at_the_place_question_lands_in_the_description(
        assistant_servers: AssistantServers) -> None:
    """"Where on Station Road?" answered with the pothole's size: the size goes into the
    description, the question comes again, and the case holds a place a crew can find."""
    sender = str(uuid.uuid4())
    first = texts(assistant_servers.say(sender, "there's a huge pothole on Station Road near the school"))
    assert "Station Road" in first
    detail = "it's about 30cm wide and deep, cars swerve around it"
    replies = texts(assistant_servers.say(sender, detail))
    assert "added that to the report's description" in replies, replies
    assert assistant_servers.tracker(sender)["slots"]["requested_slot"] == "location"
    transcript = first + replies + texts(assistant_servers.say(sender, "12"))
    reference, asked = finish_report(assistant_servers, sender, transcript)
    assert "location" not in asked and "description" not in asked, asked
    place = _of_case(assistant_servers.database_url, reference,
                     "SELECT address FROM cases WHERE reference = :r")
    description = _of_case(assistant_servers.database_url, reference,
                           "SELECT description FROM cases WHERE reference = :r")
    assert place == ["12 Station Road"]
    assert description[0].endswith(f"\n{detail}") and "near the school" in description[0]


def test_a_bare_option_answers_the_question_instead_of_opening_the_faq(
        assistant_servers: AssistantServers) -> None:
    """Alone, "recycling" reads as a question about recycling: at "Which bin was missed?" it
    is the answer, and the form goes on to the next question."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "my bin wasn't collected")
    assistant_servers.say(sender, "outside 22 Rose Avenue")
    tracker = assistant_servers.tracker(sender)
    if tracker["slots"]["requested_slot"] == "description":
        assistant_servers.say(sender, "it has been out since Tuesday morning")
    assert assistant_servers.tracker(sender)["slots"]["requested_slot"] == "followup"
    replies = texts(assistant_servers.say(sender, "recycling"))
    assert "Which day should it have been collected?" in replies, replies
    assert "paper, card, cans" not in replies  # not the FAQ's recycling answer
    answers = assistant_servers.tracker(sender)["slots"]["followup_answers"]
    assert answers == {"bin_type": "recycling"}


def test_a_problem_described_where_a_report_to_add_to_was_asked_is_reported(
        assistant_servers: AssistantServers) -> None:
    """A citizen with no report who seems to want to add to one ("I forgot to mention
    something in my report") and then describes a problem gets a new report, not "that is
    not a reference" until they give up."""
    sender = str(uuid.uuid4())
    asked = texts(assistant_servers.say(sender, "I forgot to mention something in my report"))
    assert "describe the problem if it's a new one" in asked, asked
    replies = texts(assistant_servers.say(sender, "my green bin wasn't emptied on Tuesday"))
    assert "I can't see a report made from this chat" in replies, replies
    tracker = assistant_servers.tracker(sender)
    assert (tracker.get("active_loop") or {}).get("name") == "report_form"
    assert tracker["slots"]["category"] == "missed_collection"


def test_a_bin_named_in_the_first_message_is_not_asked_for_again(
        assistant_servers: AssistantServers) -> None:
    """"My recycling bin wasn't collected" already says which bin: the assistant says it
    noted that, asks the next question, and the case carries the answer."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "my recycling bin wasn't collected on Tuesday")
    replies = texts(assistant_servers.say(sender, "12 Rose Avenue"))
    assert "From your message, I've noted:\nWhich bin was missed? recycling" in replies, replies
    assert "Which day should it have been collected?" in replies
    transcript = replies + texts(assistant_servers.say(sender, "Tuesday"))
    reference, asked = finish_report(assistant_servers, sender, transcript)
    assert "followup" not in asked, asked
    answers = _of_case(assistant_servers.database_url, reference,
                       "SELECT answers FROM cases WHERE reference = :r")
    assert "recycling" in str(answers[0]) and "Tuesday" in str(answers[0])


def test_a_question_with_options_offers_them_as_buttons(
        assistant_servers: AssistantServers) -> None:
    """The options come as buttons; pressing one sends its name, which answers the question
    even though, alone, the model reads "garden" as something else."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "my bin wasn't collected")
    messages = assistant_servers.say(sender, "outside 22 Rose Avenue")
    if assistant_servers.tracker(sender)["slots"]["requested_slot"] == "description":
        messages = assistant_servers.say(sender, "it has been out since Tuesday morning")
    question = next(message for message in messages if message.get("buttons"))
    assert [button["title"] for button in question["buttons"]] == [
        "general waste", "recycling", "garden", "food"]
    assistant_servers.say(sender, question["buttons"][2]["payload"])
    answers = assistant_servers.tracker(sender)["slots"]["followup_answers"]
    assert answers == {"bin_type": "garden"}
