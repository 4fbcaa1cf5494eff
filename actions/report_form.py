"""validate_report_form: what the citizen says becomes a report the city can act on.

Rasa fills the slots from the domain mappings; this action accepts or rejects each value
(a rejected slot is set back to None and the form asks again), fills what the mappings
cannot see (map pins, photo ids, a descriptive first message, "yes" to a suggested type),
walks the follow-up questions one answer at a time (actions/report_followup.py), and once
type and place are known offers to follow an open case (actions/report_duplicates.py).
A reply that says more about the problem instead of answering the place or a closed
follow-up question goes into the description, and the question is asked once more
(bot.answer_fit); so do more words about it where the form asked for none, such as at
"Shall I send it?" (actions.report_details).
"""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import report_fields as fields
from actions.catalogue import find_service
from actions.category_choice import (accepted_category, classifier_doubt,
                                     set_before_latest_message, slot_before_latest_message)
from actions.common import (language_of, latest_entity, latest_intent, latest_metadata,
                            latest_text, says_cancel, words_read_as_something_else)
from actions.next_problem import (NEXT_PROBLEM_SLOT, held_problem, one_problem_after_all,
                                  second_problem_held)
from actions.replies import utter_core_error
from actions.report_details import (WORDLESS_SLOTS, added_to_description,
                                    another_problem_unheard, corrected_place, declines_a_photo,
                                    description_read_as_something_else, kept_as_detail,
                                    place_said, says_more_about_the_problem,
                                    speaks_of_a_photo, wants_to_add_a_photo)
from actions.report_duplicates import CHOICE_SLOT, OFFER_SLOT, duplicate_check
from actions.report_opening import description_with_opening
from actions.report_place import (place_in_first_message, place_not_known,
                                  place_read_as_something_else, street_in_first_message,
                                  unknown_place)
from actions.answers_in_words import with_the_date
from actions.recurrence import recurring_report
from actions.report_to_feedback import FEEDBACK_INSTEAD, NOTE_INSTEAD, feedback_instead
from actions.report_followup import (FOLLOWUP_REFUSED, OPTION_MISREADS,
                                     answer_to_an_answered_question, answered_in_description,
                                     description_new_to_questions, pending_question,
                                     questions_of)
from actions.slots import (ANSWERS_CORRECTED_SLOT, ANSWERS_FIELD, ASKED_AGAIN_SLOT,
                           CORRECTABLE_FIELDS, REQUESTED_SLOT, WHAT_TO_CHANGE_SLOT)
from actions.summary_reply import ASK_WHICH, summary_answer
from bot.answer_fit import (TEXT, YES_NO, answers_yes_or_no, names_an_option,
                            off_question_answer, off_question_place)
from bot.errors import DatabaseUnavailable
from bot.greetings import without_greeting
from bot.interrogatives import asks_how_to_report
from bot.options_in_text import option_replied

Validated = Dict[Text, Any]
# Questions "no" answers; there, "cancel report" (actions.common.CANCEL_WORDS) still stops.
NO_ANSWERS = frozenset({"consent", "photos", "followup", CHOICE_SLOT})


class ValidateReportForm(FormValidationAction):
    """Slot extraction and validation for report_form."""

    def name(self) -> Text:
        return "validate_report_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Give the report its idempotency key the first time the form runs, keep the
        street a first message named without a number, for the place question, and answer
        a first message that asked how to report before the form asks its first question.
        A type left from an earlier message is not this report's (its question is asked)."""
        starting = not tracker.get_slot("submission_id")
        if not starting and (one := one_problem_after_all(dispatcher, tracker)) is not None:
            return one  # "it's all one problem": the second found in the first message goes
        if starting and asks_how_to_report(latest_text(tracker), language_of(tracker)):
            dispatcher.utter_message(response="utter_report_here")
        stale: List[EventType] = []
        if starting and set_before_latest_message(tracker, "category"):
            tracker.slots["category"] = None
            stale.append(SlotSet("category", None))
        street = street_in_first_message(tracker)
        events = stale + await super().run(dispatcher, tracker, domain)
        if starting:
            events.insert(0, SlotSet("submission_id", uuid.uuid4().hex))
        if street:
            events.append(SlotSet("location_street", street))
        return events

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        """The domain's slots; followup drops out when the service has no questions, and
        following an existing case ends the form right after that choice."""
        no_questions = (tracker.get_slot("followup") == fields.FOLLOWUP_DONE
                        and not tracker.get_slot("followup_answers"))
        slots = [slot for slot in domain_slots if not (slot == "followup" and no_questions)]
        if (tracker.get_slot(OFFER_SLOT) or {}).get("own") and not tracker.get_slot("location"):
            slots.remove(CHOICE_SLOT)  # "the noise I reported...": their report, then a place
            slots.insert(slots.index("location"), CHOICE_SLOT)
        if tracker.get_slot(CHOICE_SLOT) is True and CHOICE_SLOT in slots:
            return slots[:slots.index(CHOICE_SLOT) + 1]
        if tracker.get_slot("confirmed") in (FEEDBACK_INSTEAD, NOTE_INSTEAD):
            return ["confirmed"]  # filled: another form takes over (actions.report_submit)
        return slots

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """After validating what was said: once type and place are known, look for an open
        case of the same problem (so the next question can offer to follow it)."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        tracker.add_slots(events)
        changes = duplicate_check(tracker)
        tracker.slots.update(changes)
        if await self._missing_slot(dispatcher, tracker, domain) == "followup" \
                and description_new_to_questions(tracker, events):
            answered = answered_in_description(dispatcher, tracker)
            tracker.slots.update(answered)
            changes.update(answered)
        return events + [SlotSet(slot, value) for slot, value in changes.items()]

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Optional[EventType]:
        """Always name the next slot (the SDK leaves it to Rasa when the list is unchanged),
        so what is asked next is decided here, next to the corrections that clear slots."""
        return SlotSet(REQUESTED_SLOT, await self._missing_slot(dispatcher, tracker, domain))

    async def _missing_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Optional[str]:
        """The first required slot without a value: the one the form asks next; none once
        the report was cancelled (action_submit_report then says so)."""
        if tracker.slots.get("confirmed") is False:
            return None
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker,
                                             domain)
        return next((slot for slot in required if tracker.slots.get(slot) is None), None)

    # --- extraction: what the domain mappings cannot see --------------------------------

    async def extract_category(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Validated:
        """"Yes" to a suggested type takes it; other words at the type question are checked
        by validate_category (and re-asked) instead of leaving the form."""
        if feedback_instead(tracker):  # "the lady at the desk was rude": no report at all
            return {"confirmed": FEEDBACK_INSTEAD}
        if recurring_report(tracker):  # "está pasando otra vez": more about their open report
            return {"confirmed": NOTE_INSTEAD}
        if tracker.get_slot(REQUESTED_SLOT) != "category" or latest_entity(tracker, "category"):
            return {}
        suggestion = tracker.get_slot("category_suggestion") or {}
        if latest_intent(tracker) == "affirm" and suggestion.get("value"):
            return {"category": suggestion["value"]}
        if latest_intent(tracker) in ("inform", "report_problem") and latest_text(tracker):
            return {"category": latest_text(tracker)}
        return {}

    async def extract_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Validated:
        """"Cancel report", as every question says, where "no" is an answer (updates, a photo,
        a yes/no question, the similar report): the report is cancelled, not answered "no".
        At the summary: a button's title typed, a change asked in words, or "that's wrong"
        (which part?) (actions.summary_reply)."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), latest_text(tracker)
        if asked in NO_ANSWERS and says_cancel(text):
            return {"confirmed": False}
        return summary_answer(tracker) if asked == "confirmed" else {}

    async def extract_location(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Validated:
        """A map pin answers the place question (or fills it when nothing was given yet); a
        place named in the report's first message answers it before it is asked."""
        metadata = latest_metadata(tracker)
        wanted = tracker.get_slot(REQUESTED_SLOT) == "location" or not tracker.get_slot("location")
        if wanted and metadata.get("location") is not None:
            return {"location": "pin"}
        mention = place_in_first_message(tracker)
        if mention and mention.complete:
            return {"location": mention.text}
        if place_read_as_something_else(tracker) or place_not_known(tracker):  # or "no sé"
            return {"location": latest_text(tracker)}
        corrected = corrected_place(tracker)  # "sorry, I meant 7 Quarry Road" at the summary
        return {"location": corrected, **{slot: None for slot in CORRECTABLE_FIELDS["location"]
                                          if slot != "location"}} if corrected else {}

    async def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Validated:
        """A descriptive first message is the description: don't make the citizen repeat it;
        so is an answer to "What kind of problem?" that describes it ("la farola de mi calle
        lleva 2 semanas apagada", after "quiero poner una queja").
        "How should I report the pothole outside my house?" names the problem but does not
        describe it for the crew, so the description is still asked. Later, more about the
        problem said where the form asked for no words is added to it (actions.report_details)."""
        if says_more_about_the_problem(tracker):
            return added_to_description(dispatcher, tracker, latest_text(tracker))
        if description_read_as_something_else(tracker):  # "...the council does nothing"
            return {"description": latest_text(tracker)}
        asked = tracker.get_slot(REQUESTED_SLOT)  # None: the report's first message
        if asked not in (None, "category") or tracker.get_slot("description"):
            return {}
        text, named = latest_text(tracker), latest_entity(tracker, "category") is not None
        if asks_how_to_report(text, language_of(tracker)):
            return {}
        intents = ("report_problem",) if asked is None else ("report_problem", "inform")
        if latest_intent(tracker) in intents and (named or asked is None) \
                and fields.descriptive(text, named):  # so is a type answered in a sentence
            return {"description": text}
        return {}

    async def extract_followup(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Validated:
        """A short reply naming one of the pending question's options, or a reply opening
        with yes or no to a yes/no question ("yes it is dangerous" reads as a policy
        question), is its answer, whatever the model made of it (OPTION_MISREADS): the form
        takes it instead of stepping aside. So is any statement to a question that takes
        text ("about the size of a dinner plate and getting deeper", read as a question).
        An option word for word (a button pressed), "not sure" or "I can't see one", is the
        answer whatever the intent."""
        intent = latest_intent(tracker)
        if tracker.get_slot(REQUESTED_SLOT) != "followup" or intent not in FOLLOWUP_REFUSED:
            return {}  # the domain's from_text mapping takes every other reply
        question = pending_question(tracker)
        text = latest_text(tracker)
        if question is None:
            return {}
        language = language_of(tracker)
        misread = intent in OPTION_MISREADS and (
            names_an_option(text, question.prompt, language, question.options)
            or (question.expects == YES_NO and answers_yes_or_no(text, language))) \
            or (question.expects == TEXT and words_read_as_something_else(tracker))
        if misread or option_replied(text, question.options) is not None \
                or fields.says_cannot_tell(text):
            return {"followup": text}
        return {}

    async def extract_follow_duplicate(self, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Validated:
        """"Skip" or "not sure" to "Would you like to follow that report?" carries on with the
        citizen's own report, as "No, mine is different" does, instead of being
        misunderstood (twice, and a person is called)."""
        if tracker.get_slot(REQUESTED_SLOT) == CHOICE_SLOT \
                and fields.is_explicit_skip(latest_text(tracker)):
            return {CHOICE_SLOT: False}
        return {}

    async def extract_photos(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Validated:
        """Photos may arrive at any step; they are collected whenever they come. "I'll send
        a photo" after the photo question asks it again (actions.report_details)."""
        if fields.attachment_ids(latest_metadata(tracker)):
            return {"photos": "attached"}
        return {"photos": None} if wants_to_add_a_photo(tracker) else {}

    # --- validation -----------------------------------------------------------------------

    def validate_category(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> Validated:
        """A known service; an unsure guess becomes a suggestion the citizen confirms."""
        previous = slot_before_latest_message(tracker, "category")
        entity = latest_entity(tracker, "category")
        asked = tracker.get_slot(REQUESTED_SLOT)
        if previous and asked not in (None, "category") and entity and entity.get("extractor"):
            if another_problem_unheard(tracker, asked, previous, entity):
                dispatcher.utter_message(response="utter_finish_report_before_new")
                return {"category": previous, NEXT_PROBLEM_SLOT: held_problem(tracker)}
            return {"category": previous}  # words about the problem, mid-form, keep the type
        held = {} if previous else second_problem_held(dispatcher, tracker, entity)
        doubt = classifier_doubt(entity, value)
        if doubt is not None:
            return {"category": None, "category_suggestion": doubt, **held}
        try:
            service = find_service(str(value or ""), language_of(tracker))
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return {"category": None}
        if service is None:
            return {"category": None, **held}
        return {**accepted_category(service, previous, tracker.get_slot("photos")), **held}

    def validate_location(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> Validated:
        """A map pin (range-checked) or a plausible address; anything else is asked again."""
        try:
            pin = fields.read_pin(latest_metadata(tracker))
        except fields.InvalidPin:
            return {"location": None}
        if pin is not None:
            dispatcher.utter_message(response="utter_location_pin_received")
            return {"location": fields.pin_label(*pin), "latitude": pin[0], "longitude": pin[1]}
        answer = str(value or "")
        unknown = unknown_place(dispatcher, tracker, answer)
        if unknown is not None:  # "I'm not sure of the number", "can I send my location?"
            return unknown
        text = fields.place_answer(answer, tracker.get_slot("location_street"))
        if text is None:
            return {"location": None}
        if _asked_now(tracker, "location") and off_question_place(answer):
            return kept_as_detail(dispatcher, tracker, answer, "location", {"location": None})
        if tracker.get_slot(REQUESTED_SLOT) in (None, *WORDLESS_SLOTS):  # from words, unasked
            dispatcher.utter_message(response="utter_location_from_message", location=text)
        return {"location": text, "latitude": None, "longitude": None}

    def validate_description(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> Validated:
        """At least a few words about the problem, without a greeting before them (the crew
        read "Goedemorgen, de boom..."; bot.greetings)."""
        text = without_greeting(str(value or "").strip())
        if not fields.plausible_description(text):
            return {"description": None}
        if tracker.get_slot(REQUESTED_SLOT) == "description":  # asked: after the opening
            return {"description": description_with_opening(tracker, text)}
        return {"description": text[:fields.MAX_DESCRIPTION_CHARS]}

    def validate_followup(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> Validated:
        """One answer to the pending question; "done" once every question has one."""
        try:
            questions = questions_of(tracker)
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            return {"followup": None}
        answers: Dict[str, Optional[str]] = dict(tracker.get_slot("followup_answers") or {})
        question = fields.next_question(questions, answers)
        if question is not None:
            accepted, answer = fields.followup_answer(str(value or ""))
            if not accepted:
                return {"followup": None}
            earlier = answer and answer_to_an_answered_question(dispatcher, answer, question,
                                                                questions, answers)
            if earlier:
                return earlier
            if answer and _asked_now(tracker, "followup", question.code) \
                    and latest_intent(tracker) not in ("affirm", "deny") \
                    and off_question_answer(answer, question.prompt, question.expects,
                                            question.options):
                return kept_as_detail(dispatcher, tracker, answer, question.code,
                                       {"followup": None})
            answers[question.code] = with_the_date(question, answer, language_of(tracker))
        done = fields.next_question(questions, answers) is None
        return {"followup": fields.FOLLOWUP_DONE if done else None,
                "followup_answers": answers or None}

    def validate_photos(self, value: Any, dispatcher: CollectingDispatcher,
                        tracker: Tracker, domain: DomainDict) -> Validated:
        """New photo ids are added to the report; SKIP or "no" means no (more) photos; "yes"
        without a photo is told how to send one before the question comes again."""
        existing = tracker.get_slot("attachment_ids") or []
        new = fields.attachment_ids(latest_metadata(tracker))
        if new:
            merged = fields.merge_ids(existing, new)
            dispatcher.utter_message(response="utter_photo_received", count=len(merged))
            return {"photos": fields.photos_label(len(merged)), "attachment_ids": merged}
        text = str(value or "")
        if fields.is_skip(text) or latest_intent(tracker) == "deny" or declines_a_photo(text):
            return {"photos": fields.photos_label(len(existing))}
        if value is None or says_more_about_the_problem(tracker) or place_said(tracker):
            return {"photos": None}  # asked again ("I'll send a photo later"), or words kept
        if latest_intent(tracker) in ("affirm", "add_to_report") or speaks_of_a_photo(text):
            dispatcher.utter_message(response="utter_photo_how_to_send")  # "yes", "later"
        else:  # "send it", "change the description": not a photo, and the citizen is told
            dispatcher.utter_message(response="utter_photo_not_received")
        return {"photos": None}

    def validate_consent(self, value: Any, dispatcher: CollectingDispatcher,
                         tracker: Tracker, domain: DomainDict) -> Validated:
        """Yes or no to keeping contact details for updates."""
        return {"consent": value if isinstance(value, bool) else None}

    def validate_follow_duplicate(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Validated:
        """Yes (follow the open case) or no (mine is different, carry on)."""
        return {CHOICE_SLOT: value if isinstance(value, bool) else None}

    def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Validated:
        """Submit (True), cancel (False), or a field to change: clear it and ask it again;
        the summary comes back once the form has refilled it."""
        if isinstance(value, bool) or value in (FEEDBACK_INSTEAD, NOTE_INSTEAD):
            return {"confirmed": value}
        if value == ASK_WHICH:
            return {"confirmed": None, WHAT_TO_CHANGE_SLOT: True}
        cleared = CORRECTABLE_FIELDS.get(str(value or "").strip().lower())
        if cleared is None:
            return {"confirmed": None}
        changes: Validated = {slot: None for slot in cleared}
        changes["confirmed"] = None
        if cleared == CORRECTABLE_FIELDS[ANSWERS_FIELD]:
            changes[ANSWERS_CORRECTED_SLOT] = True
        return changes


def _asked_now(tracker: Tracker, slot: str, field: Optional[str] = None) -> bool:
    """Whether the reply answers `slot`'s question, asked for the first time: the second
    reply to a question asked again is kept whatever it says."""
    asked_again = tracker.get_slot(ASKED_AGAIN_SLOT)
    return tracker.get_slot(REQUESTED_SLOT) == slot and asked_again != (field or slot)

