"""action_answer_policy: a clear FAQ match is answered with its links (and, outside a
form, asks whether it answered the question); close ones are offered as buttons, and a tap
answers the pick; a weak one says so and offers a person; every question is logged with its
channel (bot.faq_log). action_rate_policy_answer: the citizen's yes or no is logged against
the answer served."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import json

from actions.policy import ActionAnswerPolicy, ActionRatePolicyAnswer
from bot.db import reset_engine, session_scope
from bot.models import FaqEntry, FaqQuery
from bot.settings import get_settings
from tests.actions.conftest import _use_database as use_database
from tests.actions.factories import (action_event, make_tracker, responses, run_action,
                                     slot_event, slot_values, user_event)


def ask(domain: dict, question: str, channel: str = "webchat", language: str = "en",
        **kwargs):
    tracker = make_tracker(text=question, intent="ask_policy", channel=channel,
                           slots={"language": language}, **kwargs)
    return run_action(ActionAnswerPolicy(), tracker, domain)


def rate(domain: dict, intent: str, query_id):
    tracker = make_tracker(text=intent, intent=intent,
                           slots={"faq_rating_open": True, "faq_query_id": query_id})
    return run_action(ActionRatePolicyAnswer(), tracker, domain)


def ratings(database: str) -> list:
    with session_scope(database) as session:
        return [(q.question, q.helpful, q.rated_at is not None)
                for q in session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def logged(database: str) -> list:
    with session_scope(database) as session:
        return [(q.question, q.language, q.channel, q.entry_id, q.version, q.answered)
                for q in session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def test_a_known_question_is_answered_with_its_links(database: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
    answer = messages[0]["answer"]
    assert answer.startswith("Bins are collected weekly")
    assert answer.splitlines()[-1] == "Find your bin day: https://www.riverton.example.gov/bins"
    (query_id,) = [row.id for row in _queries(database)]
    assert slot_values(events) == {"faq_rating_open": True, "faq_query_id": query_id}


def test_inside_a_form_the_answer_asks_for_no_rating(database: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?", active_loop="report_form")
    assert responses(messages) == ["utter_policy_answer"]
    assert messages[0]["answer"].startswith("Bins are collected weekly")
    assert events == []  # the form asks its own question next


@pytest.mark.parametrize("intent", ["affirm", "thank"])  # "thanks, that helps" counts
def test_yes_records_that_the_answer_helped(intent: str, database: str, domain: dict) -> None:
    ask(domain, "When is my bin day?")
    (query_id,) = [row.id for row in _queries(database)]
    events, messages = rate(domain, intent, query_id)
    assert responses(messages) == ["utter_policy_answer_helped"]
    assert slot_values(events) == {"faq_rating_open": False, "faq_query_id": None}
    assert ratings(database) == [("When is my bin day?", True, True)]


def test_no_records_a_miss_and_offers_a_person(database: str, domain: dict) -> None:
    ask(domain, "When is my bin day?")
    (query_id,) = [row.id for row in _queries(database)]
    events, messages = rate(domain, "deny", query_id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert slot_values(events) == {"faq_rating_open": False, "faq_query_id": None,
                                   "handoff_offered": True}
    assert ratings(database) == [("When is my bin day?", False, True)]


@pytest.mark.parametrize("query_id", [None, 999_999])
def test_a_rating_with_nothing_to_rate_still_gets_a_reply(query_id, database: str,
                                                         domain: dict) -> None:
    events, messages = rate(domain, "deny", query_id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert slot_values(events)["faq_rating_open"] is False


def test_a_rating_with_the_database_down_still_gets_a_reply(database_down: str,
                                                            domain: dict) -> None:
    events, messages = rate(domain, "affirm", 1)
    assert responses(messages) == ["utter_policy_answer_helped"]
    assert slot_values(events)["faq_rating_open"] is False


def _queries(database: str) -> list:
    with session_scope(database) as session:
        rows = session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars().all()
        session.expunge_all()
        return rows


@pytest.mark.parametrize("question", ["zxqv wplk", "what is the airspeed of an unladen swallow"])
def test_an_unsure_match_offers_a_person(question: str, database: str, domain: dict) -> None:
    events, messages = ask(domain, question)
    assert responses(messages) == ["utter_policy_unsure"]
    assert slot_values(events) == {"handoff_offered": True}


def test_the_threshold_comes_from_settings(database: str, domain: dict,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "faq_min_score", 1.01)  # nothing can be that sure
    _, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_suggestions"]
    assert messages[0]["buttons"][0]["title"] == "When is my bin day?"
    monkeypatch.setattr(get_settings(), "faq_suggest_min_score", 1.01)
    _, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_unsure"]


def test_policy_with_the_database_down(database_down: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_database_unavailable"]
    assert events == []


@pytest.mark.parametrize("text", ["/ask_policy", ""])
def test_the_question_button_invites_a_question(text: str, database: str, domain: dict) -> None:
    events, messages = ask(domain, text)
    assert responses(messages) == ["utter_anything_else"]
    assert events == []


def test_an_answer_is_logged_with_entry_version_language_and_channel(database: str,
                                                                    domain: dict) -> None:
    ask(domain, "When is my bin day?", channel="telegram")
    with session_scope(database) as session:
        bins = session.execute(select(FaqEntry).where(FaqEntry.topic == "bin-collection-day")
                               ).scalar_one()
        score = session.execute(select(FaqQuery.score)).scalar_one()
    assert logged(database) == [("When is my bin day?", "en", "telegram", bins.id,
                                 bins.published_version, True)]
    assert score >= get_settings().faq_min_score


def test_an_unsure_question_is_logged_as_unanswered(database: str, domain: dict) -> None:
    ask(domain, "zxqv wplk", channel="sms", language="nl")
    assert logged(database) == [("zxqv wplk", "nl", "sms", None, None, False)]


def test_the_question_button_is_not_logged(database: str, domain: dict) -> None:
    ask(domain, "/ask_policy")
    assert logged(database) == []


# --- "did you mean": close entries offered, and the citizen's pick ----------------------

NEAR_MISS = "how do I report a stray dog"  # shares words with dog fouling; no entry answers it


def offer(domain: dict, question: str = NEAR_MISS, language: str = "en"):
    """Ask a question that draws suggestions; the events, the message and the buttons."""
    events, messages = ask(domain, question, language=language)
    assert responses(messages) == ["utter_policy_suggestions"], messages
    return events, messages[0], messages[0]["buttons"]


def pick(domain: dict, button: dict, query_id, language: str = "en", **kwargs):
    """Tap a suggestion button: its payload parsed as Rasa parses it."""
    intent, _, entities = button["payload"][1:].partition("{")
    value = json.loads("{" + entities)["faq_entry"]
    tracker = make_tracker(text=button["payload"], intent=intent,
                           entities=[{"entity": "faq_entry", "value": value}],
                           slots={"language": language, "faq_suggestion_query": query_id},
                           **kwargs)
    return run_action(ActionAnswerPolicy(), tracker, domain)


def suggested_topics(database: str, query_id: int) -> list:
    with session_scope(database) as session:
        ids = session.get(FaqQuery, query_id).suggested_entries
        return [session.get(FaqEntry, entry_id).topic for entry_id in ids]


def test_a_near_miss_offers_the_close_entries_and_none_of_these(database: str,
                                                               domain: dict) -> None:
    events, _, buttons = offer(domain)
    (query,) = _queries(database)
    assert slot_values(events) == {"faq_suggestion_query": query.id, "faq_rating_open": False,
                                   "faq_query_id": None}
    assert not query.answered and query.entry_id is None
    topics = suggested_topics(database, query.id)
    assert "dog-fouling" in topics and 1 <= len(topics) <= 3
    assert buttons[-1] == {"title": "None of these", "payload": '/ask_policy{"faq_entry":"none"}'}
    assert [button["title"] for button in buttons[:-1]][topics.index("dog-fouling")] == \
        "What is the fine for dog fouling?"  # the entry's first question


def test_suggestions_read_in_the_citizens_language(database: str, domain: dict) -> None:
    _, _, buttons = offer(domain, "a qué hora abre la piscina municipal", "es")
    assert buttons[-1]["title"] == "Ninguna de estas"
    assert all(button["title"].startswith("¿") for button in buttons[:-1]), buttons


def test_a_pick_is_answered_and_logged_as_served(database: str, domain: dict) -> None:
    _, _, buttons = offer(domain)
    (query,) = _queries(database)
    dog = buttons[suggested_topics(database, query.id).index("dog-fouling")]
    events, messages = pick(domain, dog, query.id)
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
    assert messages[0]["answer"].startswith("Not picking up after your dog")
    assert slot_values(events) == {"faq_rating_open": True, "faq_query_id": query.id}
    (row,) = _queries(database)
    assert row.answered and row.entry_id == int(dog["payload"].split('"')[3])
    rate(domain, "deny", query.id)  # the pick can be rated like any answer
    assert ratings(database) == [(NEAR_MISS, False, True)]


def test_a_pick_in_the_middle_of_a_report_asks_for_no_rating(database: str,
                                                             domain: dict) -> None:
    _, _, buttons = offer(domain)
    (query,) = _queries(database)
    events, messages = pick(domain, buttons[0], query.id, active_loop="report_form")
    assert responses(messages) == ["utter_policy_answer"]
    assert events == []


def test_none_of_these_keeps_the_question_unanswered_and_offers_a_person(
        database: str, domain: dict) -> None:
    _, _, buttons = offer(domain)
    (query,) = _queries(database)
    events, messages = pick(domain, buttons[-1], query.id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert slot_values(events) == {"handoff_offered": True}
    (row,) = _queries(database)
    assert not row.answered and row.entry_id is None


def test_an_entry_not_offered_on_that_question_is_not_served(database: str,
                                                             domain: dict) -> None:
    offer(domain)
    (query,) = _queries(database)
    with session_scope(database) as session:
        other = session.execute(select(FaqEntry.id).where(
            FaqEntry.id.notin_(query.suggested_entries))).scalars().first()
    forged = {"title": "x", "payload": '/ask_policy{"faq_entry":"%d"}' % other}
    _, messages = pick(domain, forged, query.id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    _, messages = pick(domain, forged, None)  # no suggestions in this conversation
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert not _queries(database)[0].answered


def test_an_entry_withdrawn_since_the_offer_is_not_served(database: str, domain: dict) -> None:
    _, _, buttons = offer(domain)
    (query,) = _queries(database)
    with session_scope(database) as session:
        for entry in session.execute(select(FaqEntry)).scalars():
            if entry.id in query.suggested_entries:
                entry.state = "archived"
    _, messages = pick(domain, buttons[0], query.id)
    assert responses(messages) == ["utter_policy_answer_missed"]


def test_a_pick_with_the_database_down(database: str, domain: dict, tmp_path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, buttons = offer(domain)
    (query,) = _queries(database)
    reset_engine()
    use_database(monkeypatch, f"sqlite:///{tmp_path}")  # a directory: no database there
    events, messages = pick(domain, buttons[0], query.id)
    assert responses(messages) == ["utter_database_unavailable"]
    assert events == []


@pytest.mark.parametrize("statement, language", [
    ("the bin men were really rude to my mum", "en"),
    ("el señor de la ventanilla me gritó sin motivo", "es"),
])
def test_a_statement_no_entry_fits_is_offered_as_feedback(statement: str, language: str,
                                                          database: str, domain: dict) -> None:
    """Before, "the bin men were really rude to my mum" (read as a policy question) got "Would
    you like me to pass your question to a member of staff?"."""
    events, messages = ask(domain, statement, language=language)
    assert responses(messages) == ["utter_statement_unplaced"]
    assert slot_values(events) == {"unplaced_words": statement, "handoff_offered": True}
    for variant in domain["responses"]["utter_statement_unplaced"]:
        assert [button["payload"] for button in variant["buttons"]] == [
            "/give_feedback", "/request_human"]


def test_a_question_no_entry_fits_still_offers_a_person(database: str, domain: dict) -> None:
    _, messages = ask(domain, "what is the airspeed of an unladen swallow")
    assert responses(messages) == ["utter_policy_unsure"]


COMPLAINT = "people let their dogs mess outside the school and nobody cares"


def test_none_of_these_under_a_statement_offers_to_send_it_as_feedback(
        database: str, domain: dict) -> None:
    """Before, "None of these" under a complaint's suggestions passed "your question" to the
    team and offered a person; the complaint itself went nowhere."""
    events, _, buttons = offer(domain, COMPLAINT)
    assert slot_values(events)["unplaced_words"] == COMPLAINT
    (query,) = _queries(database)
    history = [user_event(COMPLAINT, "ask_policy"), action_event("action_answer_policy"),
               slot_event("unplaced_words", COMPLAINT)]
    events, messages = pick(domain, buttons[-1], query.id, history=history)
    assert responses(messages) == ["utter_statement_unplaced"]
    assert slot_values(events) == {"unplaced_words": COMPLAINT, "handoff_offered": True}


def test_a_questions_suggestions_hold_no_words(database: str, domain: dict) -> None:
    events, _, _ = offer(domain)
    assert "unplaced_words" not in slot_values(events)


RUDE_AT_THE_TIP = "the man at the recycling centre was rude to me"


def test_no_to_an_answer_given_to_a_statement_offers_to_send_it_as_feedback(
        database: str, domain: dict) -> None:
    """"The man at the recycling centre was rude to me" was answered with the centre's
    opening hours; "no" passed "your question" to the FAQ team and the complaint was lost."""
    events, messages = ask(domain, RUDE_AT_THE_TIP)
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
    assert slot_values(events)["unplaced_words"] == RUDE_AT_THE_TIP
    (query_id,) = [row.id for row in _queries(database)]
    history = [user_event(RUDE_AT_THE_TIP, "ask_policy"), action_event("action_answer_policy"),
               slot_event("unplaced_words", RUDE_AT_THE_TIP)]
    tracker = make_tracker(text="no", intent="deny", history=history,
                           slots={"faq_rating_open": True, "faq_query_id": query_id})
    events, messages = run_action(ActionRatePolicyAnswer(), tracker, domain)
    assert responses(messages) == ["utter_statement_unplaced"]
    assert slot_values(events) == {"faq_rating_open": False, "faq_query_id": None,
                                   "unplaced_words": RUDE_AT_THE_TIP, "handoff_offered": True}
    assert ratings(database) == [(RUDE_AT_THE_TIP, False, True)]


def test_an_answer_to_a_question_holds_no_words(database: str, domain: dict) -> None:
    events, _ = ask(domain, "When is my bin day?")
    assert "unplaced_words" not in slot_values(events)


def test_a_question_the_faq_answers_clearly_is_answered(database: str, domain: dict) -> None:
    _, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
