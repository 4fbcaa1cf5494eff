"""The report form's follow-up questions: which are the service's, which one waits for an
answer, and which the description already answers (bot.options_in_text), so the citizen is
told instead of asked. validate_report_form (actions/report_form.py) calls these.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import report_fields as fields
from actions.answers_in_words import answer_in_description
from actions.catalogue import service_info
from actions.common import language_of, log_event
from actions.slots import ANSWERS_CORRECTED_SLOT, REQUESTED_SLOT
from bot.errors import DatabaseUnavailable
from bot.answer_fit import MAX_OPTION_WORDS, could_answer
from bot.options_in_text import folded_words, option_in_text
from bot.services import FollowupQuestion

Validated = Dict[Text, Any]
# Intents the follow-up's mapping refuses (the form steps aside for them) that the model may
# give a bare option: alone, "recycling" reads as a policy question, "general waste" as
# feedback and "stuck on red" as a call for help. A request for a person or a status check
# is never taken for an answer.
OPTION_MISREADS = frozenset({"ask_policy", "give_feedback", "help", "add_to_report",
                             "bot_challenge", "greet", "goodbye", "thank"})
# Every intent the follow-up's from_text mapping refuses (domain/report.yml).
FOLLOWUP_REFUSED = OPTION_MISREADS | {"check_status", "request_human"}


def questions_of(tracker: Tracker) -> List[FollowupQuestion]:
    """The follow-up questions of the report's service, in the citizen's language."""
    service = service_info(tracker.get_slot("category"), language_of(tracker))
    return service.questions if service else []


def description_new_to_questions(tracker: Tracker, events: List[EventType]) -> bool:
    """Whether the follow-up questions have not yet been checked against the description:
    they are about to be asked for the first time, or a reply added to the description. On
    the other turns of the questions, the catalogue is not read a second time. Once the
    citizen chose to change the answers, the description answers none of them again."""
    if tracker.get_slot(ANSWERS_CORRECTED_SLOT):
        return False
    return tracker.get_slot(REQUESTED_SLOT) != "followup" or any(
        event.get("event") == "slot" and event.get("name") == "description" for event in events)


def answered_in_description(dispatcher: CollectingDispatcher, tracker: Tracker) -> Validated:
    """The follow-up questions the description already answers, by naming exactly one of
    their options ("my recycling bin wasn't collected") or, for a question of which day, a
    day ("ayer") or how long ("3 weeks", actions.answers_in_words): answered so, and the citizen told, instead of asked. Runs when the questions are next; without
    the catalogue they are simply asked."""
    description = str(tracker.get_slot("description") or "")
    try:
        questions = questions_of(tracker) if description else []
    except DatabaseUnavailable:
        return {}
    answers: Dict[str, Optional[str]] = dict(tracker.get_slot("followup_answers") or {})
    found: Dict[str, Optional[str]] = {}
    language = language_of(tracker)
    for question in questions:
        if question.code in answers:
            continue
        option = option_in_text(description, question.options)
        answer = option.name if option else answer_in_description(question, description,
                                                                  language)
        if answer is not None:
            found[question.code] = answer
    if not found:
        return {}
    answers.update(found)
    dispatcher.utter_message(response="utter_answers_from_message",
                             answers=fields.format_answers(questions, found))
    log_event("followup_from_description", tracker, questions=sorted(found))
    done = fields.next_question(questions, answers) is None
    return {"followup": fields.FOLLOWUP_DONE if done else None, "followup_answers": answers}


def pending_question(tracker: Tracker) -> Optional[FollowupQuestion]:
    """The follow-up question waiting for an answer; None when none is, or the catalogue
    cannot be read (the form then steps aside as before)."""
    try:
        questions = questions_of(tracker)
    except DatabaseUnavailable:
        return None
    return fields.next_question(questions, tracker.get_slot("followup_answers") or {})


def answer_to_an_answered_question(dispatcher: CollectingDispatcher, reply: str,
                                   pending: FollowupQuestion, questions: List[FollowupQuestion],
                                   answers: Dict[str, Optional[str]]) -> Optional[Validated]:
    """A reply to `pending` that cannot answer it (bot.answer_fit.could_answer) but names an
    option of a question already answered: after "From your message, I've noted: Is it one
    light or several? one light", citizens answer that question anyway at the next one
    ("solo una"), or correct it ("several actually"). Kept as the next question's answer,
    "solo una" became the lamp post's number. The option is that question's answer, the
    citizen is told, and `pending` is asked again. None when the reply is not that."""
    if could_answer(reply, pending.expects, pending.options) \
            or len(folded_words(reply)) > MAX_OPTION_WORDS:
        return None
    for question in questions:
        if question.code == pending.code or question.code not in answers:
            continue
        option = option_in_text(reply, question.options)
        if option is not None:
            answers = {**answers, question.code: option.name}
            dispatcher.utter_message(response="utter_answers_from_message",
                                     answers=fields.format_answers(questions,
                                                                   {question.code: option.name}))
            return {"followup": None, "followup_answers": answers}
    return None
