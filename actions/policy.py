"""action_answer_policy: answers about city rules and services from the FAQ store.

The communications team edits answers in the database; the bot reads them on every
question, so a published change is live without retraining. When the best match is weak
the bot says so and offers a person rather than guessing. Every question is logged by the
core (bot.faq_log), answered or not, for the team's reports.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, latest_text, log_event
from actions.replies import utter_core_error
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.faq_content import answer_with_links
from bot.faq_log import answer_question


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
            dispatcher.utter_message(response="utter_policy_answer",
                                     answer=answer_with_links(match.answer, match.links))
            log_event("policy_answered", tracker, faq_entry=match.entry_id,
                      faq_version=match.version, score=match.score, faq_query=result.query_id)
            return []
        dispatcher.utter_message(response="utter_policy_unsure")
        log_event("policy_unsure", tracker, score=match.score if match else None,
                  faq_query=result.query_id)
        return [SlotSet("handoff_offered", True)]
