"""Reading what an action needs from the tracker: language, channel, latest message, transcript.

Plain functions, not a base Action class: rasa-sdk registers every concrete Action subclass
it finds, and a helper class would turn up as a bogus action.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Dict, FrozenSet, List, Optional

from rasa_sdk import Tracker

from bot.announcements import announces_feedback
from bot.interrogatives import reads_as_question
from bot.logs import log_event as core_log_event
from bot.logs import pseudonym
from bot.options_in_text import folded_words
from bot.settings import get_settings

log = logging.getLogger("actions")

UNKNOWN_CHANNEL = "unknown"
# Channels whose conversation id is itself the address we reply to (phone number, chat id).
ADDRESSABLE_CHANNELS = frozenset({"twilio", "sms", "telegram"})
TRANSCRIPT_EVENTS = 20
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# The model gives these to many statements it cannot place: "the bin men were really rude to
# my mum" reads as a policy question at 0.98, "people keep tripping over it and the council
# does nothing" at 1.0. Where the citizen was asked for their own words, such a message is the
# answer unless it is asked as a question (statement_for_a_question).
# The status action, which others hand a misread status question to (FollowupAction).
STATUS_ACTION = "action_check_status"
QUESTION_INTENTS = frozenset({"ask_policy", "check_status"})
# ...and, where the citizen's own words were asked ("Please describe the problem", "Roughly how
# big is it?"), what it makes of many of them: "the council never fixes anything round here"
# reads as feedback (words_read_as_something_else).
WORDS_MISREADS = QUESTION_INTENTS | {"give_feedback"}
# Small talk the model reads into a long answer: "it goes on until 3am most nights and it's
# very loud" was goodbye (0.76) at "Please describe the problem", and the citizen was told
# their report is kept for later. This many words are an answer (long_small_talk), unless
# they take leave.
SMALL_TALK_INTENTS = frozenset({"greet", "thank", "goodbye"})
LONG_ANSWER_WORDS = 7
LEAVE_WORDS = frozenset("""
bye goodbye later go going leave leaving gotta finish tomorrow adios hasta luego chao ciao
manana despues tchau adeus depois amanha doei dag straks morgen
""".split())
# What the questions tell the citizen to reply to stop ("Reply CANCEL REPORT to stop", CANCEL
# IT, CANCELAR, ANNULEREN), and plain cancels. Where "no" answers the question asked (updates,
# a photo, a yes/no question, a rating, a caseworker's question), these still stop.
CANCEL_WORDS = frozenset({
    "cancel", "cancel it", "cancel report", "cancel the report", "cancel my report",
    "cancel this report", "stop the report", "cancel feedback", "cancel the feedback",
    "cancelar", "cancela", "cancelalo", "cancelar aviso", "cancelar el aviso", "cancela el aviso",
    "cancelar pedido", "cancelar o pedido", "annuleren", "annuleer", "melding annuleren",
    "annuleer de melding", "annuleer het",
})


def language_of(tracker: Tracker) -> str:
    """The conversation's language if the assistant speaks it, else the city's default."""
    settings = get_settings()
    language = tracker.get_slot("language")
    return language if language in settings.supported_languages else settings.default_language


def channel_of(tracker: Tracker) -> str:
    """The input channel of the latest user message ("webchat", "telegram", ...)."""
    channel = tracker.latest_message.get("input_channel") or tracker.get_latest_input_channel()
    return str(channel) if channel else UNKNOWN_CHANNEL


def sender_contact(tracker: Tracker) -> Optional[str]:
    """Where updates can reach the citizen: a channel-given contact, else an addressable id."""
    contact = latest_metadata(tracker).get("contact")
    if isinstance(contact, str) and contact.strip():
        return contact.strip()
    return tracker.sender_id if channel_of(tracker) in ADDRESSABLE_CHANNELS else None


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message ("" for a pin or photo without words)."""
    return str(tracker.latest_message.get("text") or "").strip()


def says_cancel(text: str) -> bool:
    """Whether the message is one of CANCEL_WORDS, case and punctuation aside."""
    return " ".join(re.sub(r"[^\w\s]", " ", (text or "").lower()).split()) in CANCEL_WORDS


def statement_for_a_question(tracker: Tracker,
                             intents: FrozenSet[str] = QUESTION_INTENTS) -> bool:
    """Whether the latest message was read as one of `intents` (a question) but is not asked
    as a question, in the conversation's language (bot.interrogatives): at a question that
    wants the citizen's words it is their answer, not a question for the FAQ to answer."""
    text = latest_text(tracker)
    return (latest_intent(tracker) in intents and bool(text)
            and not text.startswith("/") and not reads_as_question(text, language_of(tracker)))


def set_by_the_last_reply(tracker: Tracker, slot: str) -> Any:
    """The value the assistant's reply to the previous message gave `slot`, else None: what
    an offer made just before this message held (a button pressed later finds nothing)."""
    events = tracker.applied_events()
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(users) < 2:
        return None
    for event in reversed(events[users[-2] + 1:users[-1]]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def long_small_talk(tracker: Tracker) -> bool:
    """Whether the latest message was read as a greeting, thanks or goodbye but is too long
    for one (LONG_ANSWER_WORDS) and takes no leave: where words were asked, it is the answer."""
    words = folded_words(latest_text(tracker))
    return (latest_intent(tracker) in SMALL_TALK_INTENTS and len(words) >= LONG_ANSWER_WORDS
            and not (latest_intent(tracker) == "goodbye" and LEAVE_WORDS & set(words))
            and not reads_as_question(latest_text(tracker), language_of(tracker)))


def words_read_as_something_else(tracker: Tracker) -> bool:
    """Whether the latest message, sent where the citizen's own words were asked, was read as
    a question, feedback (WORDS_MISREADS) or small talk but is their answer: not asked as a
    question, not the wish to give feedback, no reference. Such a message was answered from
    the FAQ, or told to wait, and the words were lost."""
    return ((statement_for_a_question(tracker, WORDS_MISREADS) or long_small_talk(tracker))
            and not latest_entity(tracker, "case_reference")
            and not announces_feedback(latest_text(tracker)))


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent NLU gave the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    """Channel metadata of the latest message (location pin, attachment ids, locale).

    Rasa keeps metadata on the user event, not in parse data, so look there too.
    """
    metadata = tracker.latest_message.get("metadata")
    if isinstance(metadata, dict) and metadata:
        return metadata
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = event.get("metadata")
            return found if isinstance(found, dict) else {}
    return {}


def latest_entity(tracker: Tracker, name: str) -> Optional[Dict[str, Any]]:
    """The first entity `name` in the latest message, with its extractor and confidence."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            return entity
    return None


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_EVENTS) -> List[Dict[str, Any]]:
    """The last `limit` messages both ways, for the caseworker who takes over."""
    lines: List[Dict[str, Any]] = []
    for event in tracker.applied_events():
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        line: Dict[str, Any] = {"from": "citizen" if kind == "user" else "assistant",
                                "text": event["text"], "at": _timestamp(event.get("timestamp"))}
        if kind == "user":
            line["intent"] = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        lines.append(line)
    return lines[-limit:]


def _timestamp(value: Any) -> Optional[str]:
    """Rasa event timestamps are epoch seconds; the transcript keeps ISO UTC."""
    if not isinstance(value, (int, float)):
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc).isoformat(timespec="seconds")


def now_utc() -> dt.datetime:
    """The current time, aware; one place so the actions agree on the clock."""
    return dt.datetime.now(dt.timezone.utc)


def conversation_id(tracker: Tracker) -> str:
    """The id to log: on SMS and Telegram the sender id is a phone number or chat id, so
    those are pseudonymised (a stable hash still lets the operator follow one conversation)."""
    if channel_of(tracker) in ADDRESSABLE_CHANNELS:
        return f"h:{pseudonym(tracker.sender_id)}"
    return tracker.sender_id


def log_event(event: str, tracker: Tracker, **fields: Any) -> None:
    """One structured INFO line with the conversation id and ids only, never message bodies
    (bot.logs hashes any field named like personal data)."""
    core_log_event(log, event, conversation_id=conversation_id(tracker),
                   channel=channel_of(tracker), **fields)


def said_this_turn(tracker: Tracker, responses: FrozenSet[str]) -> bool:
    """Whether one of `responses` was uttered since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if bot_response(event) in responses:
            return True
    return False


def bot_response(event: Dict[str, Any]) -> Any:
    """The response a bot event uttered ("utter_location_needed"); None for other events."""
    if event.get("event") != "bot":
        return None
    return (event.get("metadata") or {}).get("utter_action")
