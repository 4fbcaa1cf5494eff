"""Adding to a report already made: which report, what to add, and into its history.

The citizen who passes the pothole again, with a photo or "it's twice as big now", should not
have to open a second report or wait for a person: case_note_form takes the words or photo to
the case the caseworker is already working on (bot.case_notes), and the console flags it.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import report_fields as fields
from actions import which_report
from actions.catalogue import named_service
from actions.common import (QUESTION_INTENTS, channel_of, language_of, latest_entity,
                            latest_intent, latest_metadata, latest_text, log_event, says_cancel,
                            statement_for_a_question)
from actions.problem_fixed import settle_closed_case
from actions.replies import utter_core_error
from actions.slots import NOTE_SLOTS, REQUESTED_SLOT, reset
from actions.waiting_question import after_form
from actions.which_report import DESCRIBING, RECENT_CASES
from bot.announcements import announces_note
from bot.attachments import PHOTO_PLACEHOLDER_TEXT
from bot.case_notes import add_citizen_note, case_for_note
from bot.case_questions import latest_question
from bot.cases import case_status_view, find_case
from bot.db import read_scope, session_scope
from bot.errors import (CaseNotFound, DatabaseUnavailable, InvalidInput, MalformedReference,
                        NotYourCase)
from bot.followers import cases_of_conversation
from bot.problem_fixed import says_it_is_done

Validated = Dict[Text, Any]
PHOTO_ONLY = "(photo)"  # note_text when the citizen sent a photo without words
MIN_NOTE_CHARS = 3
# Messages that are something else, for which the form steps aside and the rules answer (see
# data/rules.yml; deny and goodbye cancel): always these; a question only when it is asked as
# one ("the bin is the green recycling one" reads as a policy topic, but it is a note:
# actions.common.statement_for_a_question); a greeting or thanks only on its own. An answer
# to a caseworker's question also takes "no", and is not a report of a different problem
# (_another_problem).
ALWAYS_ASIDE = frozenset({"deny", "goodbye", "request_human", "help", "bot_challenge",
                          "change_language"})
SMALL_TALK = frozenset({"greet", "thank"})
SMALL_TALK_WORDS = 3
ANSWER_SLOT = "note_answers_question"  # set by bot.case_questions.answer_form_events


class ValidateCaseNoteForm(FormValidationAction):
    """Which report (named, discussed just now, or the only one) and what to add."""

    def name(self) -> Text:
        return "validate_case_note_form"

    async def extract_note_case(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Validated:
        """A reference in the message answers at any time; at the start, the one recent
        report of the type named, the report this conversation was just about, or the
        sender's only report, needs no question."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        entity = latest_entity(tracker, "case_reference")
        if entity and entity.get("value") and requested in (None, "note_case"):
            return {"note_case": str(entity["value"])}
        described = which_report.case_described(tracker) if requested == "note_case" else None
        if described:  # "the pothole has got bigger": that report, and those words
            words = _note_in_message(tracker)
            return {"note_case": described, **({"note_text": words} if words else {})}
        if requested == "note_case" and (not _steps_aside(tracker)
                                         or which_report.names_a_reference(latest_text(tracker))):
            return {"note_case": latest_text(tracker)}
        if requested is None and not tracker.get_slot("note_case"):
            guess = (which_report.named_in(latest_text(tracker))
                     or which_report.opening_guess(tracker))
            return {"note_case": guess} if guess else {}
        return {}

    async def extract_note_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Validated:
        """The words; a photo alone is enough, and may come with the opening message or
        the report's reference (validate_note_text keeps the photos)."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        opening = requested is None and not tracker.get_slot("note_text") \
            and not tracker.get_slot(ANSWER_SLOT)
        words = _note_in_message(tracker) if opening else None
        if words:  # "forgot to say it's right by the school gates": no need to ask
            return {"note_text": words}
        if fields.attachment_ids(latest_metadata(tracker)) and requested != "note_text":
            return {"note_text": PHOTO_ONLY} if not tracker.get_slot("note_text") else {}
        if requested == "note_text" and (not _steps_aside(tracker)
                                         or fields.attachment_ids(latest_metadata(tracker))):
            return {"note_text": latest_text(tracker) or PHOTO_ONLY}
        return {}

    def validate_note_case(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Validated:
        """Only a report this conversation made; the reason is said when it is not."""
        text = str(value or "").strip()
        try:
            if not which_report.names_a_reference(text):
                raise MalformedReference(text)
            with read_scope() as session:
                reference = case_for_note(session, text, channel_of(tracker),
                                          tracker.sender_id).reference
        except NotYourCase as error:
            dispatcher.utter_message(response="utter_case_note_not_yours",
                                     reference=error.reference)
            return {"note_case": None}
        except (CaseNotFound, MalformedReference, DatabaseUnavailable) as error:
            utter_core_error(dispatcher, error)
            return {"note_case": None}
        return {"note_case": reference}

    def validate_note_text(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Validated:
        """Some words, or a photo (kept with the photos sent earlier in the form); anything
        shorter is asked again."""
        photos = fields.merge_ids(tracker.get_slot("note_photo_ids"),
                                  fields.attachment_ids(latest_metadata(tracker)))
        answering = bool(tracker.get_slot(ANSWER_SLOT))
        words = _usable_words(str(value or ""), short_ok=answering)
        if not answering and announces_note(words):  # "I want to add a photo": not yet
            words = ""
        if not words and not photos:
            return {"note_text": None}
        return {"note_text": words or PHOTO_ONLY, "note_photo_ids": photos or None}


class ActionAskNoteCase(Action):
    """Ask which report, with the citizen's latest ones as buttons when there are any."""

    def name(self) -> Text:
        return "action_ask_note_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language = language_of(tracker)
        try:
            with read_scope() as session:
                views = [case_status_view(case, language, for_sender=True, with_reason=False)
                         for case in cases_of_conversation(session, channel_of(tracker),
                                                           tracker.sender_id, RECENT_CASES)]
        except DatabaseUnavailable as error:
            # Said now, not after the reference is typed; the question still makes sense
            # (the words are kept in the form, and a reference typed in will be checked).
            utter_core_error(dispatcher, error)
            views = []
        if not views:
            dispatcher.utter_message(response="utter_ask_note_case")
            return []
        lines = "\n".join(f"{view.reference} ({view.service}, {view.status_label})"
                          for view in views)
        dispatcher.utter_message(response="utter_ask_note_case_recent", cases=lines,
                                 buttons=[_button(view.reference) for view in views])
        return []


class ActionAskNoteText(Action):
    """Ask what to add. When the form takes the answer to a caseworker's question, ask that
    question again in the caseworker's words: the citizen was busy with a report when it
    came, or said something that was not an answer."""

    def name(self) -> Text:
        return "action_ask_note_text"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        reference = str(tracker.get_slot("note_case") or "")
        question = _question_on(reference) if tracker.get_slot(ANSWER_SLOT) else None
        if question:
            dispatcher.utter_message(response="utter_ask_note_answer", reference=reference,
                                     question=question)
        else:
            dispatcher.utter_message(response="utter_ask_note_text")
        return []


class ActionSubmitCaseNote(Action):
    """Put the words and photos in the case's history and tell the citizen it is there."""

    def name(self) -> Text:
        return "action_submit_case_note"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        reference = str(tracker.get_slot("note_case") or "")
        text = str(tracker.get_slot("note_text") or "")
        answered = bool(tracker.get_slot(ANSWER_SLOT))
        says_fixed = not answered and says_it_is_done(text)
        try:
            with session_scope() as session:
                case = case_for_note(session, reference, channel_of(tracker), tracker.sender_id)
                settled = settle_closed_case(session, case, tracker, language_of(tracker)) \
                    if says_fixed else None
                added = None if settled else add_citizen_note(
                    session, case, "" if text == PHOTO_ONLY else text,
                    tracker.get_slot("note_photo_ids") or [], channel=channel_of(tracker),
                    sender_id=tracker.sender_id, says_fixed=says_fixed)
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            log_event("case_note_not_saved", tracker, reason="database_unavailable")
            # The note stays in its slots: asking to add to the report again sends it, with
            # nothing to retype (a new session drops it, see actions.slots).
            return []
        except (CaseNotFound, NotYourCase, InvalidInput) as error:
            # Gone between the question and now (erased, or a photo already used): say so.
            log_event("case_note_not_saved", tracker, reason=type(error).__name__)
            dispatcher.utter_message(response="utter_case_note_cancelled")
            return after_form(tracker, reset(NOTE_SLOTS + (REQUESTED_SLOT,)))
        if added is None:  # "it's fixed", about a case already resolved or closed
            dispatcher.utter_message(response=settled[0], **settled[1])
            log_event("case_note_settled", tracker, case_reference=settled[1]["reference"])
            return after_form(tracker, reset(NOTE_SLOTS) + [
                SlotSet("last_case_reference", settled[1]["reference"])])
        if answered or not added.merged_into:
            dispatcher.utter_message(response=_added_response(answered, says_fixed),
                                     reference=added.reference)
        else:
            dispatcher.utter_message(response="utter_case_note_added_merged",
                                     reference=added.reference, merged_into=added.merged_into)
        log_event("case_note_added", tracker, case_reference=added.reference,
                  photos=added.photos, repeated=added.repeated, answered_question=answered,
                  says_fixed=says_fixed)
        return after_form(tracker, reset(NOTE_SLOTS) + [
            SlotSet("last_case_reference", added.reference)])


def _added_response(answered: bool, says_fixed: bool) -> str:
    """The answer to a caseworker's question, the news that it is fixed, or a note."""
    if answered:
        return "utter_case_question_answered"
    return "utter_case_done_noted" if says_fixed else "utter_case_note_added"


def _note_in_message(tracker: Tracker) -> Optional[str]:
    """The latest message as the note when it says something about the problem: it
    describes one, or asks to add to a report in words that are themselves the note ("forgot
    to say it's right by the school gates"), not only the wish to add (bot.announcements)."""
    text = latest_text(tracker)
    intent = latest_intent(tracker)
    if not _usable_words(text) or intent not in DESCRIBING:
        return None
    return None if intent == "add_to_report" and announces_note(text) else text


def _question_on(reference: str) -> Optional[str]:
    """The latest question on the report; without the database, the plain question does."""
    try:
        with read_scope() as session:
            return latest_question(session, reference)
    except DatabaseUnavailable:
        return None


def _steps_aside(tracker: Tracker) -> bool:
    """Whether the message is something other than an answer (see ALWAYS_ASIDE)."""
    intent, text = latest_intent(tracker), latest_text(tracker)
    if intent == "deny" and tracker.get_slot(ANSWER_SLOT):
        # "no" answers "is it still leaking?"; "cancel it" (the prompt offers it) declines
        return says_cancel(text)
    if intent in ALWAYS_ASIDE:
        return True
    if intent == "report_problem" and tracker.get_slot(ANSWER_SLOT):
        return _another_problem(tracker)
    if intent == "report_problem" and tracker.get_slot(REQUESTED_SLOT) == "note_case":
        return which_report.not_about_a_report(tracker)
    if intent in QUESTION_INTENTS:
        return not statement_for_a_question(tracker)
    return intent in SMALL_TALK and len(text.split()) <= SMALL_TALK_WORDS


def _another_problem(tracker: Tracker) -> bool:
    """Whether a message that reads as a report names a different problem from the report
    whose question it would answer: "there's a broken streetlight on Park Lane", days after
    a question about a pothole, is a new report, not the answer (data/rules.yml starts it, and
    the question is put again once that report is done). Without the database, or a type, it
    is the answer, as before."""
    named = named_service(tracker)
    if named is None:
        return False
    reference = str(tracker.get_slot("note_case") or "")
    try:
        with read_scope() as session:
            return find_case(session, reference).service_code != named
    except (CaseNotFound, MalformedReference, DatabaseUnavailable):
        return False


class ActionNewProblemInstead(Action):
    """Say a new problem will be a new report: where the answer to a caseworker's question
    was expected, that the question comes back after it; where a report to add to was asked
    for, that none was found, or none about this (data/rules.yml then starts the report
    form)."""

    def name(self) -> Text:
        return "action_new_problem_instead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if tracker.get_slot(ANSWER_SLOT):
            dispatcher.utter_message(response="utter_new_problem_not_answer")
        elif which_report.conversation_cases(tracker, 1):
            dispatcher.utter_message(response="utter_new_problem_other_report")
        else:
            dispatcher.utter_message(response="utter_new_problem_no_report")
        return []


def _usable_words(text: str, short_ok: bool = False) -> str:
    """The note as typed, when it says something: letters, more than a word's start (a bare
    "no" is enough when it answers a caseworker's question), and not a channel's stand-in
    for a photo without a caption."""
    text = (text or "").strip()
    too_short = len(text) < (1 if short_ok else MIN_NOTE_CHARS)
    if text == PHOTO_PLACEHOLDER_TEXT or text.startswith("/") or too_short \
            or not any(char.isalpha() for char in text):
        return ""
    return text


def _button(reference: str) -> Dict[str, str]:
    payload = json.dumps({"case_reference": reference}, separators=(",", ":"))
    return {"title": reference, "payload": f"/inform{payload}"}
