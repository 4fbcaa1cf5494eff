"""action_answer_policy: answers about city rules and services from the FAQ store.

The communications team edits answers in the database; the bot reads them on every
question, so a published change is live without retraining. When no entry is clearly the
one, the bot offers the close ones as buttons ("did you mean...?", bot.faq_log) with "none of
these"; a tap comes back as ask_policy with the entry's id (entity faq_entry), so the rules
that answer a policy question anywhere, mid-report included, also answer the pick. When the
best match is weak, or none of the suggestions fit, the bot says so and offers a person
rather than guessing. (A message asking how the citizen's own report stands, which the
model took for a policy question or could not place, never reaches here: the pipeline's
components.report_enquiry sends it to the status action. "How long does it take?" just
after a report, which the FAQ cannot place, is answered from that report:
actions.progress_questions.) Every question is logged by the core
(bot.faq_log), answered or not, for the team's reports; outside a form an answer asks
whether it answered the question, and action_rate_policy_answer logs the reply, so the team
also sees the answers that missed.
"""
from __future__ import annotations

import json
from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (language_of, latest_entity, latest_intent, latest_text, log_event,
                            set_by_the_last_reply)
from actions.adding_after_report import open_note_on_report
from actions.progress_questions import answer_about_progress
from actions.replies import utter_core_error
from actions.slots import UNPLACED_WORDS
from actions.recurrence import answer_what_if_again, note_recurrence
from actions.urgency_notes import pass_on_urgency
from actions.withdrawals import withdraw_report
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.faq import FaqMatch
from bot.faq_content import answer_with_links
from bot.faq_log import (PolicyAnswer, answer_if_clear, answer_question, choose_suggestion,
                         rate_answer)
from bot.interrogatives import reads_as_question

RATING_OPEN, RATED_QUERY = "faq_rating_open", "faq_query_id"
SUGGESTED_QUERY = "faq_suggestion_query"  # the log row whose suggestions are on screen
CHOICE_ENTITY, NONE_OF_THESE = "faq_entry", "none"
STATEMENT_WORDS = 4  # "zxqv wplk" or "bins" is no statement to send anywhere
NONE_OF_THESE_TITLE: Dict[str, str] = {
    "en": "None of these", "es": "Ninguna de estas", "pt": "Nenhuma destas",
    "nl": "Geen van deze"}


class ActionAnswerPolicy(Action):
    """The FAQ answer when one entry is clearly the match; the close ones to choose from when
    not; else "not sure" plus an offer of a person."""

    def name(self) -> Text:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        choice = latest_entity(tracker, CHOICE_ENTITY)
        if choice is not None:
            return _answer_choice(dispatcher, tracker, str(choice.get("value") or ""))
        question = latest_text(tracker)
        if not question or question.startswith("/"):
            # The "Ask a question" button carries no question yet: invite it, don't search.
            dispatcher.utter_message(response="utter_anything_else")
            return []
        about_a_report = about_the_report_just_discussed(dispatcher, tracker)
        if about_a_report is not None:  # "what happens now?", "please hurry" after a report
            return about_a_report
        try:
            with session_scope() as session:
                result = answer_question(session, question, language_of(tracker),
                                         channel=tracker.get_latest_input_channel())
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return []
        if result.answered and result.match is not None:
            return _serve(dispatcher, tracker, result.match, result.query_id)
        about_a_report = answer_about_progress(dispatcher, tracker)
        if about_a_report is not None:  # "how long does it take?" after a report
            return about_a_report
        if result.suggestions:
            return _offer(dispatcher, tracker, result)
        log_event("policy_unsure", tracker, score=result.match.score if result.match else None,
                  faq_query=result.query_id)
        if _a_statement(tracker, question):
            return _statement_unplaced(dispatcher, question)
        return _unsure(dispatcher)


def second_look_in_faq(dispatcher: CollectingDispatcher,
                       tracker: Tracker) -> Optional[List[EventType]]:
    """The FAQ's look at a message the NLU could not place; None when it has nothing to say
    (the caller's own reply follows), in a form (where such a message is more likely a reply
    to the form's question), or when the database does not answer.

    A message that reads as a question (bot.interrogatives) and that the model did not judge
    off-topic is taken as a policy question on a topic it was not trained on: answered when
    one entry clearly fits, else the close entries are offered, and logged either way, so the
    team sees the gap. Any other message gets only a clear answer (bot.faq_log.answer_if_clear)
    and is not logged otherwise: addresses and typos would bury the team's list."""
    text = latest_text(tracker)
    if not text or text.startswith("/") or tracker.active_loop.get("name"):
        return None
    about_a_report = about_the_report_just_discussed(dispatcher, tracker)
    if about_a_report is not None:
        return about_a_report
    language = language_of(tracker)
    as_question = latest_intent(tracker) != "out_of_scope" and reads_as_question(text, language)
    ask = answer_question if as_question else answer_if_clear
    try:
        with session_scope() as session:
            result = ask(session, text, language, channel=tracker.get_latest_input_channel())
    except DatabaseUnavailable:
        return None
    if result is not None and result.answered and result.match is not None:
        return _serve(dispatcher, tracker, result.match, result.query_id)
    about_a_report = answer_about_progress(dispatcher, tracker)
    if about_a_report is not None:
        return about_a_report
    if result is not None and result.match is not None and result.suggestions:
        return _offer(dispatcher, tracker, result)
    return None


def about_the_report_just_discussed(dispatcher: CollectingDispatcher,
                                    tracker: Tracker) -> Optional[List[EventType]]:
    """Before the FAQ: a plea to hurry, a request to withdraw it, news that the problem is
    back, "what if it happens again?", "can I send a photo?" or a question of time naming
    nothing else, after a report, is about that report (actions.urgency_notes,
    actions.withdrawals, actions.recurrence, actions.adding_after_report,
    actions.progress_questions); None for anything else."""
    for about_the_report in (pass_on_urgency, withdraw_report, note_recurrence,
                             answer_what_if_again, open_note_on_report):
        events = about_the_report(dispatcher, tracker)
        if events is not None:
            return events
    return answer_about_progress(dispatcher, tracker, only_if_topic_free=True)


def _serve(dispatcher: CollectingDispatcher, tracker: Tracker, match: FaqMatch,
           query_id: int) -> List[EventType]:
    """The answer; outside a form, with "did that answer your question?"."""
    log_event("policy_answered", tracker, faq_entry=match.entry_id, faq_version=match.version,
              score=match.score, faq_query=query_id)
    answer = answer_with_links(match.answer, match.links)
    if tracker.active_loop.get("name"):
        # Mid-report or mid-feedback the form asks its question next; no rating.
        dispatcher.utter_message(response="utter_policy_answer", answer=answer)
        return []
    dispatcher.utter_message(response="utter_policy_answer_ask_rating", answer=answer)
    return [SlotSet(RATING_OPEN, True), SlotSet(RATED_QUERY, query_id)] + _held(tracker)


def _offer(dispatcher: CollectingDispatcher, tracker: Tracker,
           result: PolicyAnswer) -> List[EventType]:
    """The close entries as buttons, each answering with its id, and "none of these"."""
    language = language_of(tracker)
    buttons = [_choice_button(item.title, str(item.entry_id)) for item in result.suggestions]
    buttons.append(_choice_button(NONE_OF_THESE_TITLE.get(language, NONE_OF_THESE_TITLE["en"]),
                                  NONE_OF_THESE))
    dispatcher.utter_message(response="utter_policy_suggestions", buttons=buttons)
    log_event("policy_suggested", tracker, faq_query=result.query_id,
              faq_entries=[item.entry_id for item in result.suggestions],
              score=result.match.score if result.match else None)
    return [SlotSet(SUGGESTED_QUERY, result.query_id), SlotSet(RATING_OPEN, False),
            SlotSet(RATED_QUERY, None)] + _held(tracker)


def _answer_choice(dispatcher: CollectingDispatcher, tracker: Tracker,
                   value: str) -> List[EventType]:
    """A tapped suggestion: its answer, logged on the question's row (a second tap on the same
    list, when the first did not fit, moves the row to the second entry). "None of these", a
    stale button or an entry since withdrawn: the question stays in the team's list of
    unanswered ones (which the reply says), and a person is offered; under a statement ("the
    council officer laughed at me"), the statement's own offer comes instead."""
    query_id = tracker.get_slot(SUGGESTED_QUERY)
    entry_id = _entry_id(value)
    match: Optional[FaqMatch] = None
    if isinstance(query_id, int) and entry_id is not None:
        try:
            with session_scope() as session:
                match = choose_suggestion(session, query_id, entry_id, language_of(tracker))
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return []
    if match is not None:
        return _serve(dispatcher, tracker, match, query_id)
    log_event("policy_suggestions_declined", tracker, faq_query=query_id, choice=value)
    words = set_by_the_last_reply(tracker, UNPLACED_WORDS)
    if words and not tracker.active_loop.get("name"):  # a statement: what to do with it
        return _statement_unplaced(dispatcher, words)
    return _unsure(dispatcher, "utter_policy_answer_missed")


def _unsure(dispatcher: CollectingDispatcher,
            response: str = "utter_policy_unsure") -> List[EventType]:
    dispatcher.utter_message(response=response)
    return [SlotSet("handoff_offered", True)]


def _a_statement(tracker: Tracker, text: str) -> bool:
    """Whether a message, outside a form, says something (STATEMENT_WORDS or more) and is not
    asked as a question; in a form it is more likely a reply to the form's question."""
    return (not tracker.active_loop.get("name") and len(text.split()) >= STATEMENT_WORDS
            and not reads_as_question(text, language_of(tracker)))


def _held(tracker: Tracker) -> List[EventType]:
    """A statement answered from the FAQ, or offered entries, is kept: when the answer or the
    entries miss ("no", "none of these"), it is offered to be sent as feedback instead."""
    text = latest_text(tracker)
    return [SlotSet(UNPLACED_WORDS, text)] if _a_statement(tracker, text) else []


def _statement_unplaced(dispatcher: CollectingDispatcher, words: str) -> List[EventType]:
    """A statement the model took for a policy question and no entry fits ("the bin men were
    really rude to my mum"): "pass your question to a member of staff?" misread it. The
    citizen is offered to send it as feedback (the feedback form takes these words:
    UNPLACED_WORDS) or to talk to a person, and told how to report a problem instead."""
    dispatcher.utter_message(response="utter_statement_unplaced")
    # The offer names a person too: "yes" takes it (data/rules.yml), as after any miss.
    return [SlotSet(UNPLACED_WORDS, words), SlotSet("handoff_offered", True)]


def _entry_id(value: str) -> Optional[int]:
    return int(value) if value.isdigit() else None


def _choice_button(title: str, value: str) -> Dict[str, str]:
    payload = json.dumps({CHOICE_ENTITY: value}, separators=(",", ":"))
    return {"title": title, "payload": f"/ask_policy{payload}"}


class ActionRatePolicyAnswer(Action):
    """The citizen's yes (thanks too) or no to "did that answer your question?": logged
    against the answer served; after a no, a person is offered (as for an answer the bot was
    unsure of), or, when what was answered was a statement, the statement's own offer (send
    it as feedback)."""

    def name(self) -> Text:
        return "action_rate_policy_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        helpful = latest_intent(tracker) in ("affirm", "thank")  # "thanks, that helps"
        query_id = tracker.get_slot(RATED_QUERY)
        events: List[EventType] = [SlotSet(RATING_OPEN, False), SlotSet(RATED_QUERY, None)]
        try:
            with session_scope() as session:
                rated = isinstance(query_id, int) and rate_answer(session, query_id, helpful)
        except DatabaseUnavailable:
            rated = False  # the reply below still helps; only the team's tally misses one
        log_event("policy_rated", tracker, helpful=helpful, faq_query=query_id, recorded=rated)
        if helpful:
            dispatcher.utter_message(response="utter_policy_answer_helped")
            return events
        words = set_by_the_last_reply(tracker, UNPLACED_WORDS)
        if words:  # "the man at the recycling centre was rude to me" got its opening hours
            return events + _statement_unplaced(dispatcher, words)
        dispatcher.utter_message(response="utter_policy_answer_missed")
        return events + [SlotSet("handoff_offered", True)]
