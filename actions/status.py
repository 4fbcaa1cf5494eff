"""action_check_status: "what happened to my report?" answered from the case database.

The reporter sees their own address and description; anyone else quoting the reference
sees only the service, status and next step (references are short and guessable).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import (STATUS_ACTION, channel_of, language_of, latest_entity, latest_text,
                            log_event)
from actions.problem_fixed import fixed_events, says_fixed_outside_a_form
from actions.recurrence import note_recurrence
from actions.replies import format_day, target_date_line, utter_core_error
from actions.withdrawals import withdraw_report
from bot.cases import StatusView, case_status_view, find_case
from bot.db import read_scope, session_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, MalformedReference
from bot.followers import cases_of_conversation, follows, is_reporter
from bot.models import Case
from bot.options_in_text import folded_words
from bot.references import parse_reference
from bot.service_mentions import services_mentioned
from bot.services import get_service, service_name

RECENT_CASES = 3
# How far back "the pothole" is looked for among a conversation's reports.
CASES_SEARCHED_BY_KIND = 20
# Words asking about more than one report, accents dropped: "other", "all", "reports".
OTHERS_WORDS = frozenset("""
other others another all reports cases
otro otra otros otras todos todas avisos
outro outra outros outras pedidos
ander andere alle meldingen
""".split())


@dataclass(frozen=True)
class Reply:
    """A response name, its placeholders and the case it was about (if one)."""

    response: str
    values: Dict[str, str] = field(default_factory=dict)
    reference: Optional[str] = None


class ActionCheckStatus(Action):
    """Status by reference (entity or text), else the last case, else the sender's cases.
    A message saying the problem is fixed (components.fixed_statement routes it here) is
    taken to the report instead (actions.problem_fixed)."""

    def name(self) -> Text:
        return STATUS_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if says_fixed_outside_a_form(tracker):  # "it's working again": news, not a question
            return fixed_events(dispatcher, tracker)
        for news in (withdraw_report, note_recurrence):  # "please cancel it", "it's back"
            noted = news(dispatcher, tracker)
            if noted is not None:
                return noted
        events: List[EventType] = [SlotSet("case_reference", None)]
        try:
            reference = requested_reference(tracker)
            reply = (case_reply(tracker, reference) if reference
                     else reply_without_reference(tracker))
        except (CaseNotFound, MalformedReference, DatabaseUnavailable) as error:
            utter_core_error(dispatcher, error)
            log_event("status_not_shown", tracker, reason=type(error).__name__)
            return events
        dispatcher.utter_message(response=reply.response, **reply.values)
        log_event("status_shown", tracker, case_reference=reply.reference, response=reply.response)
        if reply.reference:
            events.append(SlotSet("last_case_reference", reply.reference))
        return events


def requested_reference(tracker: Tracker) -> Optional[str]:
    """The reference the citizen gave, normalised; MalformedReference for a broken one."""
    entity = latest_entity(tracker, "case_reference")
    if entity is not None and entity.get("value"):
        return parse_reference(str(entity["value"])) or str(entity["value"]).strip().upper()
    return parse_reference(latest_text(tracker))


def case_reply(tracker: Tracker, reference: str) -> Reply:
    """The case's status; its details only for the conversation that reported it. The next
    step ("your report is in the queue", "we will tell you when it is done") speaks to those
    we tell about the case, its reporter and followers; anyone else gets the status alone."""
    with read_scope() as session:
        return status_reply(session, find_case(session, reference), tracker)


def status_reply(session: Session, case: Case, tracker: Tracker) -> Reply:
    """The status reply for a case found: its details only for the sender who reported it,
    the next step only for those we tell about it, the target date for anyone."""
    language, channel = language_of(tracker), channel_of(tracker)
    own = is_reporter(case, channel, tracker.sender_id)
    told = own or follows(session, case, channel, tracker.sender_id)
    view = case_status_view(case, language, for_sender=own)
    values = view.placeholders()
    steps = [view.next_step if told else "", target_date_line(view, language)]
    values["next_step"] = " ".join(step for step in steps if step)
    values["updated"] = format_day(view.updated, language, style="long")
    response = "utter_case_status_private" if own else "utter_case_status"
    return Reply(response=response, values=values, reference=view.reference)


def reply_without_reference(tracker: Tracker) -> Reply:
    """No reference given: with a kind of problem named ("has the pothole been fixed?"), the
    report of that kind; else the case from earlier in this conversation, else its only case,
    else a list of the recent cases it reported or follows, else ask for the reference."""
    text = latest_text(tracker)
    with read_scope() as session:
        named = services_mentioned(session, text)
    if named:
        return reply_for_services(tracker, named)
    last = tracker.get_slot("last_case_reference")
    if last and not asks_about_others(text):
        return case_reply(tracker, last)
    language = language_of(tracker)
    with session_scope() as session:
        cases = cases_of_conversation(session, channel_of(tracker), tracker.sender_id,
                                      RECENT_CASES)
        views = [case_status_view(case, language, for_sender=True, with_reason=False)
                 for case in cases]
    if not views:
        return Reply(response="utter_ask_case_reference")
    if len(views) == 1 and not asks_about_others(text):
        return case_reply(tracker, views[0].reference)  # no list of one to pick from
    return Reply(response="utter_your_recent_cases", values={"cases": recent_lines(views)})


def reply_for_services(tracker: Tracker, named: List[str]) -> Reply:
    """The report of the kind named: the one just discussed if it is of that kind, else the
    conversation's one report of it, else a list of them. With none of that kind the citizen
    is told so, with the reports this chat does have, instead of another report's status."""
    language = language_of(tracker)
    with read_scope() as session:
        last = _last_case_named(session, tracker, named)
        cases = cases_of_conversation(session, channel_of(tracker), tracker.sender_id,
                                      CASES_SEARCHED_BY_KIND)
        matching = [case for case in cases if case.service_code in named]
        shown = matching or cases[:RECENT_CASES]
        views = [case_status_view(case, language, for_sender=True, with_reason=False)
                 for case in shown]
        wanted = " / ".join(service_name(get_service(session, code), language) for code in named)
    if last is not None:
        return case_reply(tracker, last)
    if len(matching) == 1:
        return case_reply(tracker, matching[0].reference)
    if matching:
        return Reply(response="utter_your_recent_cases", values={"cases": recent_lines(views)})
    if not views:
        return Reply(response="utter_ask_case_reference")
    return Reply(response="utter_no_report_of_that_kind",
                 values={"service": wanted, "cases": recent_lines(views)})


def _last_case_named(session: Session, tracker: Tracker, named: List[str]) -> Optional[str]:
    """The case this conversation just discussed, when it is of a kind the message names
    (it may be a reference someone passed on, not one of the conversation's own)."""
    last = tracker.get_slot("last_case_reference")
    if not last or asks_about_others(latest_text(tracker)):
        return None
    try:
        case = find_case(session, last)
    except (CaseNotFound, MalformedReference):
        return None
    return case.reference if case.service_code in named else None


def asks_about_others(text: str) -> bool:
    """Whether the citizen asks about more than the report just discussed ("and my other
    report?", "all my reports", "¿y mis otros avisos?"): then the list, not that one again."""
    return any(word in OTHERS_WORDS for word in folded_words(text))


def recent_lines(views: List[StatusView]) -> str:
    """One line per case: reference, service and status in plain words."""
    return "\n".join(f"{view.reference} ({view.service}): {view.status_label}" for view in views)
