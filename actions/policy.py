"""action_answer_policy: answers about city rules and services from the FAQ store.

The communications team edits answers in the database; the bot reads them on every
question, so a published change is live without retraining. When the best match is weak
the bot says so and offers a person rather than guessing.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, latest_text, log_event
from actions.replies import utter_core_error
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.faq import FaqMatch, find_answer
from bot.settings import get_settings


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
                match = find_answer(session, question=question, language=language_of(tracker))
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return []
        if match is not None and match.score >= get_settings().faq_min_score:
            dispatcher.utter_message(response="utter_policy_answer", answer=answer_text(match))
            log_event("policy_answered", tracker, faq_entry=match.entry_id,
                      faq_version=match.version, score=match.score)
            return []
        dispatcher.utter_message(response="utter_policy_unsure")
        log_event("policy_unsure", tracker, score=match.score if match else None)
        return [SlotSet("handoff_offered", True)]


def answer_text(match: FaqMatch) -> str:
    """The answer followed by its links, one per line."""
    return "\n".join([match.answer.strip(), *link_lines(match.links)])


def link_lines(links: Sequence[Dict[str, str]]) -> List[str]:
    """"Title: https://..." for each link with a URL."""
    lines = []
    for link in links or []:
        url = (link or {}).get("url")
        if url:
            title = (link.get("title") or "").strip()
            lines.append(f"{title}: {url}" if title else url)
    return lines
