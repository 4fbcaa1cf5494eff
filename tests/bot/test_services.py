"""bot.services: the catalogue file, its seeding into the database and per-language texts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.db import session_scope
from bot.errors import UnknownService
from bot.models import CASE_STATUSES, Service
from bot.services import (followup_questions, get_service, list_services, load_catalogue,
                          load_statuses, localized, seed_services, service_name, status_text,
                          target_date_text)

ROOT = Path(__file__).resolve().parents[2]
CODES = ["pothole", "streetlight", "traffic_signal", "graffiti", "litter", "illegal_dumping",
         "missed_collection", "noise", "illegal_parking", "abandoned_vehicle", "sidewalk", "tree",
         "water_leak", "park_maintenance", "animal", "other"]


def test_catalogue_holds_exactly_the_contract_codes() -> None:
    assert [spec.code for spec in load_catalogue()] == CODES


@pytest.mark.parametrize("code, days", [
    ("pothole", 5), ("streetlight", 7), ("traffic_signal", 1), ("water_leak", 2), ("noise", 3),
])
def test_service_targets_are_the_agreed_working_days(code: str, days: int) -> None:
    spec = next(spec for spec in load_catalogue() if spec.code == code)
    assert spec.sla_working_days == days


def test_every_service_is_complete_in_english() -> None:
    for spec in load_catalogue():
        assert spec.names["en"] and spec.descriptions["en"] and spec.department
        assert spec.sla_working_days > 0 and spec.keywords["en"]
        for question in spec.questions:
            assert question["code"] and question["prompt"]["en"]


@pytest.mark.parametrize("code, question_codes", [
    ("pothole", ["size", "danger_to_traffic"]),
    ("missed_collection", ["bin_type", "collection_day"]),
    ("abandoned_vehicle", ["registration", "how_long"]),
    ("other", []),
])
def test_services_ask_their_follow_up_questions(code: str, question_codes: list) -> None:
    spec = next(spec for spec in load_catalogue() if spec.code == code)
    assert [question["code"] for question in spec.questions] == question_codes


def test_a_duplicate_code_in_the_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "services.yml"
    item = {"code": "x", "department": "D", "sla_working_days": 1, "name": {"en": "X"}}
    file.write_text(yaml.safe_dump({"services": [item, item]}))
    with pytest.raises(ValueError):
        load_catalogue(file)


def test_a_question_expecting_an_unknown_kind_of_answer_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "services.yml"
    item = {"code": "x", "department": "D", "sla_working_days": 1, "name": {"en": "X"},
            "questions": [{"code": "q", "prompt": {"en": "Is it?"}, "expects": "yes/no"}]}
    file.write_text(yaml.safe_dump({"services": [item]}))
    with pytest.raises(ValueError, match="yes_no"):
        load_catalogue(file)


def test_closed_questions_say_what_answers_them(db: str) -> None:
    """Every "(yes/no)" question expects yes or no, so a reply that says something else is
    kept as detail and the question asked again (bot.answer_fit); stored rows without the
    key read as free text."""
    for spec in load_catalogue():
        for question in spec.questions:
            if "(yes/no)" in question["prompt"]["en"]:
                assert question["expects"] == "yes_no", (spec.code, question["code"])
    with session_scope(db) as session:
        service = get_service(session, "streetlight")
        assert [q.expects for q in followup_questions(service, "en")] == ["digits", "choice"]
        service.questions = [{key: value for key, value in question.items() if key != "expects"}
                             for question in service.questions]
        assert {q.expects for q in followup_questions(service, "en")} == {"text"}
        session.rollback()


LANGUAGES = ("en", "es", "pt", "nl")


def test_every_choice_question_lists_its_options_in_every_language() -> None:
    """A question that lists its options has them as values: Open311 clients get a list, the
    chat offers buttons, and a description naming one answers it (bot.options_in_text). A
    text question may suggest values too, with no datatype: Open311 sees a plain string."""
    suggested = []
    for spec in load_catalogue():
        for question in spec.questions:
            if question["expects"] not in ("choice", "text"):
                assert "values" not in question, (spec.code, question["code"])
                continue
            if question["expects"] == "text":
                assert "datatype" not in question, (spec.code, question["code"])
                if "values" not in question:
                    continue
                suggested.append((spec.code, question["code"]))
            else:
                assert question["datatype"] == "singlevaluelist", (spec.code, question["code"])
            keys = [value["key"] for value in question["values"]]
            assert len(keys) == len(set(keys)) >= 2
            for value in question["values"]:
                for language in LANGUAGES:
                    assert value["name"][language] and value["words"][language], (
                        spec.code, value["key"], language)
    assert ("animal", "animal_kind") in suggested


def test_options_come_in_the_citizens_language_without_english_words(db: str) -> None:
    with session_scope(db) as session:
        service = get_service(session, "missed_collection")
        bin_type, _ = followup_questions(service, "pt")
        assert [option.key for option in bin_type.options] == [
            "general_waste", "recycling", "garden", "food"]
        assert bin_type.options[1].name == "reciclagem" and "ecoponto" in bin_type.options[1].words
        service.questions = [{**question, "values": [
            {**value, "words": {"en": value["words"]["en"]}, "name": {"en": value["name"]["en"]}}
            for value in question.get("values") or []]} for question in service.questions]
        bin_type, _ = followup_questions(service, "nl")
        assert bin_type.options[1].name == "recycling"  # the name falls back to English...
        assert bin_type.options[1].words == ()  # ...its words do not: they name nothing in Dutch
        session.rollback()


def test_a_value_without_a_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "services.yml"
    item = {"code": "x", "department": "D", "sla_working_days": 1, "name": {"en": "X"},
            "questions": [{"code": "q", "prompt": {"en": "Which?"}, "expects": "choice",
                           "datatype": "singlevaluelist", "values": [{"name": {"en": "A"}}]}]}
    file.write_text(yaml.safe_dump({"services": [item]}))
    with pytest.raises(ValueError, match="has no key"):
        load_catalogue(file)


def test_seeding_again_updates_services_and_deactivates_removed_ones(db: str, tmp_path: Path) -> None:
    specs = load_catalogue()
    changed = [spec for spec in specs if spec.code != "graffiti"]
    file = tmp_path / "services.yml"
    raw = yaml.safe_load((ROOT / "content" / "services.yml").read_text())
    raw["services"] = [item for item in raw["services"] if item["code"] != "graffiti"]
    raw["services"][0]["sla_working_days"] = 4
    file.write_text(yaml.safe_dump(raw))
    try:
        with session_scope(db) as session:
            assert seed_services(session, load_catalogue(file)) == len(changed)
        with session_scope(db) as session:
            assert get_service(session, "pothole").sla_working_days == 4
            assert get_service(session, "graffiti").active is False
            assert "graffiti" not in [view.code for view in list_services(session, "en")]
            assert session.execute(select(Service)).scalars().all().__len__() == len(specs)
    finally:
        with session_scope(db) as session:
            seed_services(session, specs)
    with session_scope(db) as session:
        assert get_service(session, "graffiti").active is True


def test_unknown_service_code_raises(db: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(UnknownService):
            get_service(session, "unicorn")


def test_service_code_lookup_ignores_case_and_spaces(db: str) -> None:
    with session_scope(db) as session:
        assert get_service(session, " Pothole ").code == "pothole"


def test_missing_translation_falls_back_to_english(db: str) -> None:
    with session_scope(db) as session:
        service = get_service(session, "pothole")
        service.names = {"en": "Pothole"}
        service.questions = [{**question, "prompt": {"en": question["prompt"]["en"]}}
                             for question in service.questions]
        assert service_name(service, "nl") == "Pothole"
        questions = followup_questions(service, "es")
        assert questions[0].code == "size" and questions[0].prompt.startswith("Roughly")
        assert questions[0].required is True
        session.rollback()


@pytest.mark.parametrize("language", ["es", "pt", "nl"])
def test_every_service_is_translated(language: str) -> None:
    for spec in load_catalogue():
        assert spec.names[language] != spec.names["en"] or spec.code == "graffiti"
        assert spec.descriptions[language] and spec.keywords[language]
        for question in spec.questions:
            assert question["prompt"][language] != question["prompt"]["en"]


def test_list_services_in_catalogue_order(db: str) -> None:
    with session_scope(db) as session:
        views = list_services(session, "en")
    assert [view.code for view in views] == CODES
    assert views[0].name == "Pothole" and views[0].department == "Highways"


def test_localized_prefers_the_language_then_english() -> None:
    assert localized({"en": "Hi", "es": "Hola"}, "es") == "Hola"
    assert localized({"en": "Hi"}, "pt") == "Hi"
    assert localized({}, "en") == ""


def test_every_status_has_plain_words() -> None:
    statuses = load_statuses()
    assert set(statuses) >= set(CASE_STATUSES)
    assert status_text("new", "en").label == "received"
    assert status_text("acknowledged", "pt").label == "visto pela equipa"
    assert status_text("new", "nl", {"new": {"label": {"en": "received"},
                                             "next_step": {"en": "Soon."}}}).label == "received"
    assert all(status_text(status, "en").next_step for status in CASE_STATUSES)


@pytest.mark.parametrize("language", ["en", "es", "pt", "nl"])
def test_every_status_has_a_public_notice_that_speaks_to_no_one(language: str) -> None:
    """The Open311 feed shows it to anyone: "your report" there would be no one's."""
    statuses = load_statuses()
    notices = {status: statuses[status]["public_notice"].get(language) for status in CASE_STATUSES}
    assert all(notices.values()), notices
    second_person = {"en": r"\byou(r)?\b", "es": r"\btu\b|\bte\b", "pt": r"\bseu\b|\bsua\b",
                     "nl": r"\bu\b|\buw\b"}[language]
    assert [n for n in notices.values() if re.search(second_person, n, re.I)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_target_date_texts_are_translated_and_name_the_date(language: str) -> None:
    on_time, late = target_date_text(False, language), target_date_text(True, language)
    assert "{date}" in on_time and "{date}" in late and on_time != late
    assert language == "en" or on_time != target_date_text(False, "en")


def test_without_target_date_texts_nothing_is_said(tmp_path) -> None:
    file = tmp_path / "services.yml"
    file.write_text("services: []\n", encoding="utf-8")
    assert target_date_text(True, "en", file) == ""


def test_only_services_a_photo_helps_ask_for_one(db: str) -> None:
    """Noise: a photo shows a crew nothing (`photos: false`); every other service asks."""
    specs = {spec.code: spec for spec in load_catalogue()}
    assert [code for code, spec in specs.items() if not spec.asks_for_photos] == ["noise"]
    with session_scope(db) as session:
        assert get_service(session, "noise").asks_for_photos is False
        assert get_service(session, "pothole").asks_for_photos is True
