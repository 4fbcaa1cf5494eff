"""Replies in the report form that do not answer the question asked, end to end over REST with
the real Rasa server, action server and case database: more about the problem at the place
question, a bare option the model alone reads as something else, and a problem described
where a report to add to was asked for."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import (ANSWERS, MAX_TURNS, _of_case,
                                                        finish_report, note_reasons, texts)

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
        assistant_servers.say(sender, "it has been out on the pavement for days")
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
    """"My recycling bin wasn't collected on Tuesday" already says which bin and which day:
    the assistant says it noted both, asks neither, and the case carries the answers."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "my recycling bin wasn't collected on Tuesday")
    replies = texts(assistant_servers.say(sender, "12 Rose Avenue"))
    assert "From your message, I've noted:\nWhich bin was missed? recycling\nWhich day should " \
           "it have been collected? Tuesday, " in replies, replies
    reference, asked = finish_report(assistant_servers, sender, replies)
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
        messages = assistant_servers.say(sender, "it has been out on the pavement for days")
    question = next(message for message in messages if message.get("buttons"))
    assert [button["title"] for button in question["buttons"]] == [
        "general waste", "recycling", "garden", "food", "Not sure"]
    assistant_servers.say(sender, question["buttons"][2]["payload"])
    answers = assistant_servers.tracker(sender)["slots"]["followup_answers"]
    assert answers == {"bin_type": "garden"}


def _open_cases(servers: AssistantServers, sender: str, *services: str) -> dict:
    """Reports this REST conversation made earlier, opened straight in the core."""
    from bot.cases import open_case
    from bot.db import session_scope

    made = {}
    with session_scope(servers.database_url) as session:
        for number, service in enumerate(services, start=1):
            made[service] = open_case(
                session, submission_id=uuid.uuid4().hex, service_code=service,
                description=f"an earlier {service} report", address=f"{number} Ash Road",
                latitude=None, longitude=None, channel="rest", sender_id=sender,
                contact=None, language="en", consent=True, answers={},
                attachment_ids=[]).case.reference
    return made


def test_a_problem_described_at_which_report_goes_to_the_report_about_it(
        assistant_servers: AssistantServers) -> None:
    """A citizen with a pothole and a streetlight report who describes the pothole at "Which
    report?" has added to the pothole report; someone whose reports are not about what they
    describe makes a new report."""
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "pothole", "streetlight")
    asked = texts(assistant_servers.say(sender, "I want to add something to my report"))
    assert made["pothole"] in asked and made["streetlight"] in asked, asked
    reply = texts(assistant_servers.say(sender, "the pothole has got much bigger since"))
    assert made["pothole"] in reply and "not" not in reply.lower(), reply
    assert note_reasons(assistant_servers.database_url, made["pothole"]) == [
        "the pothole has got much bigger since"]

    other = str(uuid.uuid4())
    _open_cases(assistant_servers, other, "pothole", "streetlight")
    assistant_servers.say(other, "I want to add something to my report")
    reply = texts(assistant_servers.say(other, "my green bin wasn't emptied on Tuesday"))
    assert "None of your reports is about that" in reply, reply
    tracker = assistant_servers.tracker(other)
    assert (tracker.get("active_loop") or {}).get("name") == "report_form"


def test_another_problem_mentioned_mid_report_is_reported_right_after(
        assistant_servers: AssistantServers) -> None:
    """"And there's also a broken streetlight on Mill Lane" at the consent question: the
    pothole report is finished first, then the streetlight report starts on those words,
    asking only what they did not say."""
    sender = str(uuid.uuid4())
    assistant_servers.say(sender, "there's a pothole")
    for reply in ("77 Quarry Road", "a deep hole in the middle of the road by the bus stop",
                  "skip", "skip", "skip"):
        assistant_servers.say(sender, reply)
    assert assistant_servers.tracker(sender)["slots"]["requested_slot"] == "consent"
    told = texts(assistant_servers.say(sender, "and there's also a broken streetlight on Mill Lane"))
    assert "Let's finish this report first" in told, told
    assistant_servers.say(sender, "/affirm")
    after = texts(assistant_servers.say(sender, "/affirm"))
    assert "Your Pothole report is saved" in after, after
    assert "Now the other problem you mentioned" in after and "Where on Mill Lane" in after, after
    slots = assistant_servers.tracker(sender)["slots"]
    assert slots["category"] == "streetlight" and slots["requested_slot"] == "location"
    assert slots["description"] == "and there's also a broken streetlight on Mill Lane"
    reference, asked = finish_report(assistant_servers, sender, after)
    assert _of_case(assistant_servers.database_url, reference,
                    "SELECT service_code FROM cases WHERE reference = :r") == ["streetlight"]


def test_yes_and_more_words_where_none_were_asked_are_heard(
        assistant_servers: AssistantServers) -> None:
    """Seen live: "yes it is dangerous" at "Is it a danger...?" was offered a member of staff
    (the model reads a policy question into it), and "people trip over it when it's dark" at
    "Shall I send it?" got three unrelated FAQ answers. The first is the answer; the second
    goes into the description the crew reads, and the summary comes again with it."""
    sender = str(uuid.uuid4())
    first = "there's a huge pothole outside 40 Quarry Road"
    transcript = texts(assistant_servers.say(sender, first))
    detail = "people trip over it when it's dark"
    for _ in range(MAX_TURNS):
        requested = assistant_servers.tracker(sender)["slots"]["requested_slot"]
        if requested == "confirmed":
            break
        followup = requested == "followup" and "danger" in transcript.rsplit("\n", 1)[-1]
        reply = "yes it is dangerous" if followup else ANSWERS[requested]
        transcript += "\n" + texts(assistant_servers.say(sender, reply))
    answers = assistant_servers.tracker(sender)["slots"]["followup_answers"]
    assert answers.get("danger_to_traffic") == "yes it is dangerous", transcript
    replies = texts(assistant_servers.say(sender, detail))
    assert "added that to the report's description" in replies, replies
    assert detail in replies and "Shall I send it?" in replies, replies
    reference, _ = finish_report(assistant_servers, sender, replies)
    description = _of_case(assistant_servers.database_url, reference,
                           "SELECT description FROM cases WHERE reference = :r")
    assert description[0].endswith(f"\n{detail}"), description
