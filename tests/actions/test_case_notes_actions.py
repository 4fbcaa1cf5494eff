"""validate_case_note_form, action_ask_note_case and action_submit_case_note: which report,
what to add, and the note in the case's history."""
from __future__ import annotations

from typing import Any, Callable, Optional

import pytest

from actions.case_notes import (PHOTO_ONLY, ActionAskNoteCase, ActionNewProblemInstead,
                                ActionSubmitCaseNote, ValidateCaseNoteForm)
from bot.attachments import store_attachment
from bot.case_notes import NOTE_KIND
from bot.case_questions import answer_form_events
from bot.cases import find_case
from bot.db import session_scope
from tests.actions.factories import (follow_on_webchat, form_tracker, make_tracker, responses,
                                     run_action, slot_values)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def validate(requested: Optional[str], domain: dict, **kwargs: Any):
    tracker = form_tracker("case_note_form", requested, kwargs.pop("candidates", {}), **kwargs)
    events, messages = run_action(ValidateCaseNoteForm(), tracker, domain)
    return slot_values(events), responses(messages)


def reference_entity(reference: str) -> list:
    return [{"entity": "case_reference", "value": reference, "start": 0, "end": len(reference)}]


def history_notes(reference: str) -> list:
    with session_scope() as session:
        return [event.reason for event in find_case(session, reference).events
                if event.kind == NOTE_KIND]


def test_a_reference_in_the_opening_message_needs_no_question(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-note-1")
    slots, said = validate(None, domain, text=f"add a photo to {reference.lower()}",
                           intent="add_to_report", sender_id="web-note-1",
                           entities=reference_entity(reference.lower()))
    assert slots["note_case"] == reference and said == []


@pytest.mark.parametrize("cases, remembered, expected", [
    (1, False, "first"), (2, False, None), (2, True, "remembered")])
def test_without_a_reference_the_only_or_the_discussed_report_is_taken(
        open_test_case: Callable[..., str], domain: dict, cases: int, remembered: bool,
        expected: Optional[str]) -> None:
    made = [open_test_case("web-note-2", address=f"{n} Ash Road") for n in range(cases)]
    slots = {"last_case_reference": made[0]} if remembered else {}
    found, _ = validate(None, domain, text="I want to add something to my report",
                        intent="add_to_report", sender_id="web-note-2", slots=slots)
    assert found.get("note_case") == (made[0] if expected else None)


def test_a_report_someone_else_made_is_not_guessed(open_test_case: Callable[..., str],
                                                   domain: dict) -> None:
    theirs = open_test_case("web-note-owner")
    found, said = validate(None, domain, text="I want to add something to my report",
                           intent="add_to_report", sender_id="web-note-other",
                           slots={"last_case_reference": theirs})
    assert "note_case" not in found and said == []


@pytest.mark.parametrize("answer, sender, said", [
    ("someone else's", "web-note-3b", "utter_case_note_not_yours"),
    ("C-2031-999999", "web-note-3", "utter_case_not_found"),
    ("the one about the pothole", "web-note-3", "utter_reference_malformed"),
    ("C-20", "web-note-3", "utter_reference_malformed"),
])
def test_a_report_that_cannot_take_the_note_is_explained_and_asked_again(
        open_test_case: Callable[..., str], domain: dict, answer: str, sender: str,
        said: str) -> None:
    theirs = open_test_case("web-note-3b-owner")
    text = theirs if answer == "someone else's" else answer
    slots, messages = validate("note_case", domain, text=text, intent="inform", sender_id=sender)
    assert slots["note_case"] is None and messages == [said]


def test_a_button_press_names_the_report(open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    reference = open_test_case("sms-note", channel="sms")
    slots, _ = validate("note_case", domain, text=f'/inform{{"case_reference":"{reference}"}}',
                        intent="inform", entities=reference_entity(reference),
                        sender_id="sms-note", channel="sms")
    assert slots["note_case"] == reference


@pytest.mark.parametrize("text, intent, expected", [
    ("The hole is twice as big now", "report_problem", "The hole is twice as big now"),
    ("it spread to the driveway", "out_of_scope", "it spread to the driveway"),
    ("ok", "inform", None),
    ("??", "inform", None),
])
def test_the_note_needs_words(domain: dict, text: str, intent: str,
                              expected: Optional[str]) -> None:
    slots, _ = validate("note_text", domain, text=text, intent=intent,
                        slots={"note_case": "C-2026-000001"})
    assert slots["note_text"] == expected


@pytest.mark.parametrize("text, intent", [
    ("when is bin day?", "ask_policy"), ("is it fixed yet?", "check_status"),
    ("talk to a person", "request_human"), ("no", "deny"), ("cancel it", "deny"),
    ("hi there", "greet"), ("thanks", "thank")])
def test_questions_and_requests_are_not_taken_as_the_note(domain: dict, text: str,
                                                          intent: str) -> None:
    slots, _ = validate("note_text", domain, text=text, intent=intent,
                        slots={"note_case": "C-2026-000001"})
    assert "note_text" not in slots


@pytest.mark.parametrize("text, intent", [
    ("the bin is the green recycling one", "ask_policy"),
    ("thanks, it is the one by the bakery", "thank")])
def test_statements_that_sound_like_other_intents_are_notes(domain: dict, text: str,
                                                            intent: str) -> None:
    slots, _ = validate("note_text", domain, text=text, intent=intent,
                        slots={"note_case": "C-2026-000001"})
    assert slots["note_text"] == text


@pytest.mark.parametrize("text, intent", [("no", "deny"), ("Yes", "affirm"),
                                          ("No, never", "deny")])
def test_a_short_yes_or_no_answers_a_caseworkers_question(domain: dict, text: str,
                                                          intent: str) -> None:
    slots, _ = validate("note_text", domain, text=text, intent=intent,
                        slots={"note_case": "C-2026-000001", "note_answers_question": True})
    assert slots["note_text"] == text


def category(code: str) -> list:
    return [{"entity": "category", "value": code, "start": 0, "end": 5,
             "extractor": "CategoryClassifier", "confidence_entity": 0.9}]


@pytest.mark.parametrize("text, named, answering, answer", [
    # days after a question about a pothole: a new problem, not the answer
    ("there's a broken streetlight on Park Lane", "streetlight", True, False),
    # the same problem, or no type named: the answer
    ("the pothole is by the bus stop", "pothole", True, True),
    ("it is on the left side", None, True, True),
    ("something else is wrong there", "other", True, True),
    # adding to a report by choice takes what the citizen says
    ("there's a broken streetlight on Park Lane", "streetlight", False, True),
])
def test_a_new_problem_is_not_taken_as_the_answer(open_test_case: Callable[..., str],
                                                  domain: dict, text: str,
                                                  named: Optional[str], answering: bool,
                                                  answer: bool) -> None:
    reference = open_test_case("web-note-new-problem")  # a pothole
    slots, _ = validate("note_text", domain, text=text, intent="report_problem",
                        entities=category(named) if named else [],
                        slots={"note_case": reference, "note_answers_question": answering or None})
    assert (slots.get("note_text") == text) is answer


@pytest.mark.parametrize("reports, named, outcome", [
    ([], "missed_collection", "new report"),  # nothing to add to
    (["pothole"], "missed_collection", "new report"),  # none of that type
    (["pothole", "streetlight"], "pothole", "note"),  # the one pothole report
    (["pothole", "pothole"], "pothole", "asked again"),  # which pothole?
    (["pothole"], None, "asked again"),  # no type named
])
def test_a_problem_described_at_which_report(open_test_case: Callable[..., str], domain: dict,
                                             reports: list, named: Optional[str],
                                             outcome: str) -> None:
    """"They forgot my green bin" read as adding to a report: a problem described at "Which
    report?" is a note on the one report of that type, else a new report (the rule starts
    it), not a wrong reference asked for again and again."""
    sender = f"web-note-described-{len(reports)}-{'-'.join(reports)}-{named}"
    made = {service: open_test_case(sender, service_code=service) for service in reports}
    text = "it has got much worse since I reported it"
    slots, said = validate("note_case", domain, text=text, intent="report_problem",
                           sender_id=sender, entities=category(named) if named else [])
    if outcome == "new report":
        assert "note_case" not in slots and said == []
    elif outcome == "note":
        assert slots["note_case"] == made[named] and slots["note_text"] == text
        assert said == []
    else:  # told it is not a reference, and asked again
        assert slots["note_case"] is None and len(said) == 1


@pytest.mark.parametrize("text, note", [
    ("forgot to put in my report that it's right by the school gates", True),
    ("the pothole I reported has got worse, it's twice the size now", True),
    ("I want to add a photo to my report", False),  # the wish, not the note
    ("quiero añadir algo a mi aviso", False),
])
def test_an_opening_message_that_says_more_is_the_note(open_test_case: Callable[..., str],
                                                       domain: dict, text: str,
                                                       note: bool) -> None:
    """Before, "forgot to put in my report that it's right by the school gates" was asked
    "What would you like to add?", and the citizen had to say it again."""
    reference = open_test_case("web-note-opening")
    slots, said = validate(None, domain, text=text, intent="add_to_report",
                           sender_id="web-note-opening")
    assert slots["note_case"] == reference and said == []
    assert slots.get("note_text") == (text if note else None)


def test_an_opening_message_from_a_caseworkers_question_is_not_the_note(
        domain: dict) -> None:
    slots, _ = validate(None, domain, text="the pothole has got worse", intent="add_to_report",
                        slots={"note_case": "C-2026-000001", "note_answers_question": True})
    assert "note_text" not in slots


@pytest.mark.parametrize("reports, named, remembered, expected", [
    (["pothole", "streetlight"], "pothole", "streetlight", "pothole"),  # the type decides
    (["pothole", "pothole"], "pothole", None, None),  # which pothole? asked
    (["streetlight"], "pothole", None, None),  # not the streetlight: asked
    (["pothole", "streetlight"], None, "streetlight", "streetlight"),  # no type: as before
])
def test_the_type_an_opening_message_names_picks_the_report(
        open_test_case: Callable[..., str], domain: dict, reports: list,
        named: Optional[str], remembered: Optional[str], expected: Optional[str]) -> None:
    sender = f"web-note-type-{'-'.join(reports)}-{named}-{remembered}"
    made = [(service, open_test_case(sender, service_code=service)) for service in reports]
    last = next((ref for service, ref in made if service == remembered), None)
    slots, _ = validate(None, domain, text="it has got much worse since I reported it",
                        intent="add_to_report", sender_id=sender,
                        entities=category(named) if named else [],
                        slots={"last_case_reference": last} if last else {})
    wanted = next((ref for service, ref in made if service == expected), None)
    assert slots.get("note_case") == wanted


@pytest.mark.parametrize("text, answering, kept", [
    ("I want to add a photo to my report", None, False),
    ("I want to add a photo to my report", True, True),  # an answer is kept as it is
    ("it's by the school gates", None, True),
])
def test_the_wish_to_add_is_not_the_note(domain: dict, text: str, answering: Optional[bool],
                                         kept: bool) -> None:
    slots, _ = validate("note_text", domain, text=text, intent="add_to_report",
                        slots={"note_case": "C-2026-000001", "note_answers_question": answering})
    assert slots["note_text"] == (text if kept else None)


@pytest.mark.parametrize("answering, reports, response", [
    (True, 1, "utter_new_problem_not_answer"), (None, 0, "utter_new_problem_no_report"),
    (None, 1, "utter_new_problem_other_report")])
def test_a_new_problem_is_announced_for_what_was_asked(
        open_test_case: Callable[..., str], domain: dict, answering: Optional[bool],
        reports: int, response: str) -> None:
    sender = f"web-note-announced-{answering}-{reports}"
    for _ in range(reports):
        open_test_case(sender)
    tracker = make_tracker(sender_id=sender,
                           slots={"note_case": "C-2026-000001" if answering else None,
                                  "note_answers_question": answering})
    _, messages = run_action(ActionNewProblemInstead(), tracker, domain)
    assert responses(messages) == [response]


@pytest.mark.parametrize("text", ["CANCEL IT", "cancel it.", "Cancelar", "annuleren"])
def test_the_offered_words_decline_to_answer(domain: dict, text: str) -> None:
    slots, _ = validate("note_text", domain, text=text, intent="deny",
                        slots={"note_case": "C-2026-000001", "note_answers_question": True})
    assert "note_text" not in slots  # the form steps aside and the cancel rule ends it


@pytest.mark.parametrize("text", ["", "Photo attached"])
def test_a_photo_alone_is_a_note(domain: dict, text: str) -> None:
    slots, _ = validate("note_text", domain, text=text, intent="inform",
                        metadata={"attachments": ["a1", "a2"]},
                        slots={"note_case": "C-2026-000001"})
    assert slots["note_text"] == PHOTO_ONLY and slots["note_photo_ids"] == ["a1", "a2"]


def test_a_photo_with_the_opening_message_is_kept(open_test_case: Callable[..., str],
                                                  domain: dict) -> None:
    reference = open_test_case("tg-note", channel="telegram")
    slots, _ = validate(None, domain, text=f"another photo for {reference}",
                        intent="add_to_report", sender_id="tg-note", channel="telegram",
                        metadata={"attachments": ["p1"]})
    assert (slots["note_case"], slots["note_text"], slots["note_photo_ids"]) == (
        reference, PHOTO_ONLY, ["p1"])


def test_the_question_lists_the_citizens_reports_as_buttons(
        open_test_case: Callable[..., str], domain: dict) -> None:
    made = [open_test_case("web-note-4", address=f"{n} Elm Road") for n in range(4)]
    _, messages = run_action(ActionAskNoteCase(), make_tracker(sender_id="web-note-4"), domain)
    assert responses(messages) == ["utter_ask_note_case_recent"]
    titles = [button["title"] for button in messages[0]["buttons"]]
    assert titles == made[:0:-1]  # the newest three, newest first
    assert messages[0]["buttons"][0]["payload"] == f'/inform{{"case_reference":"{made[-1]}"}}'
    assert made[-1] in messages[0]["cases"]
    _, none = run_action(ActionAskNoteCase(), make_tracker(sender_id="web-nobody"), domain)
    assert responses(none) == ["utter_ask_note_case"]


@pytest.fixture
def photo_of(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """Store a photo from a web chat sender (in a temp folder) and return its id."""
    from bot.settings import get_settings
    monkeypatch.setattr(get_settings(), "attachments_dir", tmp_path)

    def store(sender_id: str) -> str:
        with session_scope() as session:
            return store_attachment(session, sender_id=sender_id, channel="webchat",
                                    data=PNG).id

    return store


def test_submitting_puts_the_note_and_photo_in_the_history(
        open_test_case: Callable[..., str], domain: dict,
        photo_of: Callable[[str], str]) -> None:
    reference = open_test_case("web-note-5")
    photo = photo_of("web-note-5")
    tracker = make_tracker(sender_id="web-note-5", slots={
        "note_case": reference, "note_text": "Lamp post number 41", "note_photo_ids": [photo]})
    events, messages = run_action(ActionSubmitCaseNote(), tracker, domain)
    assert responses(messages) == ["utter_case_note_added"]
    assert messages[0]["reference"] == reference
    assert history_notes(reference) == ["Lamp post number 41 (1 photo added)"]
    assert slot_values(events) == {"note_case": None, "note_text": None,
                                   "note_photo_ids": None, "note_answers_question": None,
                                   "last_case_reference": reference}


def test_an_answer_to_a_caseworker_is_acknowledged_as_one(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-note-8")
    tracker = make_tracker(sender_id="web-note-8", slots={
        "note_case": reference, "note_text": "no", "note_answers_question": True})
    _, messages = run_action(ActionSubmitCaseNote(), tracker, domain)
    assert responses(messages) == ["utter_case_question_answered"]
    assert history_notes(reference) == ["no"]


def test_a_follower_adds_to_the_case_they_follow(open_test_case: Callable[..., str],
                                                 domain: dict) -> None:
    reference = open_test_case("web-reporter")
    follow_on_webchat(reference, "web-follower")
    found, _ = validate(None, domain, text="I have a photo of the pothole too",
                        intent="add_to_report", sender_id="web-follower")
    assert found["note_case"] == reference  # the only report they made or follow
    tracker = make_tracker(sender_id="web-follower", slots={
        "note_case": reference, "note_text": "The hole has doubled"})
    _, messages = run_action(ActionSubmitCaseNote(), tracker, domain)
    assert responses(messages) == ["utter_case_note_added"]
    assert history_notes(reference) == ["The hole has doubled"]


def test_a_note_on_a_merged_report_names_the_one_that_carries_on(
        open_test_case: Callable[..., str], domain: dict) -> None:
    from bot.merges import merge_cases

    duplicate = open_test_case("web-note-9")
    survivor = open_test_case("web-note-10", address="14 Oak Avenue")
    with session_scope() as session:
        merge_cases(session, find_case(session, duplicate), find_case(session, survivor),
                    actor="casey", reason="Same hole")
    tracker = make_tracker(sender_id="web-note-9", slots={
        "note_case": duplicate, "note_text": "It is spreading"})
    _, messages = run_action(ActionSubmitCaseNote(), tracker, domain)
    assert responses(messages) == ["utter_case_note_added_merged"]
    assert (messages[0]["reference"], messages[0]["merged_into"]) == (duplicate, survivor)


def test_a_photo_only_note_says_so(open_test_case: Callable[..., str], domain: dict,
                                   photo_of: Callable[[str], str]) -> None:
    reference = open_test_case("web-note-6")
    photo = photo_of("web-note-6")
    tracker = make_tracker(sender_id="web-note-6", slots={
        "note_case": reference, "note_text": PHOTO_ONLY, "note_photo_ids": [photo]})
    run_action(ActionSubmitCaseNote(), tracker, domain)
    assert history_notes(reference) == ["(1 photo added)"]


def test_with_the_database_down_the_note_is_kept_for_a_retry(database_down: str,
                                                             domain: dict) -> None:
    tracker = make_tracker(sender_id="web-note-7", slots={
        "note_case": "C-2026-000001", "note_text": "Still there"})
    events, messages = run_action(ActionSubmitCaseNote(), tracker, domain)
    assert responses(messages) == ["utter_database_unavailable"] and events == []


def test_the_answer_form_events_name_the_domains_form_and_slots(domain: dict) -> None:
    events = answer_form_events("C-2026-000001")
    assert {e["name"] for e in events if e["event"] == "slot"} <= set(domain["slots"]) | {
        "requested_slot"}
    [loop] = [e["name"] for e in events if e["event"] == "active_loop"]
    assert loop in domain["forms"] and "note_text" in domain["forms"][loop]["required_slots"]


def test_with_the_database_down_which_report_is_asked_after_saying_so(database_down: str,
                                                                       domain: dict) -> None:
    """The citizen learnt the system was down only after typing the reference."""
    tracker = make_tracker(sender_id="web-note-8", slots={"note_text": "it's working again"})
    _, messages = run_action(ActionAskNoteCase(), tracker, domain)
    assert responses(messages) == ["utter_database_unavailable", "utter_ask_note_case"]
