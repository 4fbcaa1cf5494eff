"""action_answer_policy: answers about city rules and services from the FAQ store.

The communications team edits answers in the database; the bot reads them on every
question, so a published change is live without retraining. When the best match is weak
the bot says so and offers a person rather than guessing. Every question is logged by the
core (bot.faq_log), answered or not, for the team's reports; outside a form a confident answer
asks whether it answered the question, and action_rate_policy_answer logs the reply, so the
team also sees the confident answers that missed.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, latest_intent, latest_text, log_event
from actions.replies import utter_core_error
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.faq_content import answer_with_links
from bot.faq_log import answer_question, rate_answer

RATING_OPEN, RATED_QUERY = "faq_rating_open", "faq_query_id"


class ActionAnswerPolicy(Action):
    """The FAQ answer when it is a confident match, else "not sure" plus an offer of a person."""

    def name(self) -> Text:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        question = latest_text(tracker)
        if not question or question.startswith("/"):
            # The "Ask a question" button carries no question yet: invite it, don't search.
            dispatcher.utter_message(response="utter_anything_else")
            return []
        try:
            with session_scope() as session:
                result = answer_question(session, question, language_of(tracker),
                                         channel=tracker.get_latest_input_channel())
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return []
        match = result.match
        if result.answered and match is not None:
            log_event("policy_answered", tracker, faq_entry=match.entry_id,
                      faq_version=match.version, score=match.score, faq_query=result.query_id)
            answer = answer_with_links(match.answer, match.links)
            if tracker.active_loop.get("name"):
                # Mid-report or mid-feedback the form asks its question next; no rating.
                dispatcher.utter_message(response="utter_policy_answer", answer=answer)
                return []
            dispatcher.utter_message(response="utter_policy_answer_ask_rating", answer=answer)
            return [SlotSet(RATING_OPEN, True), SlotSet(RATED_QUERY, result.query_id)]
        dispatcher.utter_message(response="utter_policy_unsure")
        log_event("policy_unsure", tracker, score=match.score if match else None,
                  faq_query=result.query_id)
        return [SlotSet("handoff_offered", True)]


class ActionRatePolicyAnswer(Action):
    """The citizen's yes or no to "did that answer your question?": logged against the answer
    served; after a no, a person is offered (as for an answer the bot was unsure of)."""

    def name(self) -> Text:
        return "action_rate_policy_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        helpful = latest_intent(tracker) == "affirm"
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
        dispatcher.utter_message(response="utter_policy_answer_missed")
        return events + [SlotSet("handoff_offered", True)]
