"""bot/sms_text.py: GSM-7 / UCS-2 segment counting, sensible splitting, numbered options."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import sms_text
from bot.sms_text import GSM7, UCS2


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("", GSM7, 0, 1),
    ("Hello", GSM7, 5, 1),
    ("a" * 160, GSM7, 160, 1),
    ("a" * 161, GSM7, 161, 2),
    ("a" * 306, GSM7, 306, 2),
    ("a" * 307, GSM7, 307, 3),
    ("€" * 80, GSM7, 160, 1),           # extension characters take two septets
    ("€" * 81, GSM7, 162, 2),
    ("a" * 152 + "€" + "b" * 10, GSM7, 164, 2),  # the escape pair is never split
    ("Café à Ñandu ¿sì?", GSM7, 17, 1),  # accented letters of the GSM-7 table
    ("sí", UCS2, 2, 1),                  # í is not in the table: Spanish often goes UCS-2
    ("ç", UCS2, 1, 1),                   # lower-case ç is not GSM-7 (only Ç is)
    ("ł" * 70, UCS2, 70, 1),
    ("ł" * 71, UCS2, 71, 2),
    ("ł" * 134, UCS2, 134, 2),
    ("ł" * 135, UCS2, 135, 3),
    ("🙂" * 35, UCS2, 70, 1),            # astral characters are two UTF-16 units
    ("🙂" * 36, UCS2, 72, 2),
    ("a" * 100 + "🙂", UCS2, 102, 2),    # one emoji makes the whole message UCS-2
])
def test_count_segments(text: str, encoding: str, units: int, segments: int) -> None:
    assert sms_text.count_segments(text) == sms_text.SegmentCount(encoding, units, segments)


def test_escape_pair_straddling_a_part_boundary_moves_to_the_next_part() -> None:
    # 152 + 2 septets would be 154 > 153: the euro starts part two, so three parts needed later.
    text = "a" * 152 + "€" + "b" * 151
    assert sms_text.count_segments(text).segments == 2
    assert sms_text.count_segments(text + "b").segments == 3


@pytest.mark.parametrize("max_segments, limit_gsm, limit_ucs", [(1, 160, 70), (2, 306, 134), (3, 459, 201)])
def test_message_limit(max_segments: int, limit_gsm: int, limit_ucs: int) -> None:
    assert sms_text.message_limit(GSM7, max_segments) == limit_gsm
    assert sms_text.message_limit(UCS2, max_segments) == limit_ucs


def test_short_text_is_one_message_unchanged() -> None:
    assert sms_text.split_message("  Your report is saved.  ") == ["Your report is saved."]


def test_split_prefers_the_last_sentence_end() -> None:
    first = "Your report C-2026-000123 is saved. " + "We aim to fix potholes within five days."
    text = first + " " + "You will get a text when the crew has been. " * 2
    parts = sms_text.split_message(text, max_segments=1)
    # 160 characters would end mid-sentence; the cut is after the last full sentence that fits.
    assert parts == [first + " You will get a text when the crew has been.",
                     "You will get a text when the crew has been."]
    assert all(sms_text.count_segments(part).segments == 1 for part in parts)
    assert " ".join(parts) == " ".join(text.split())


def test_split_falls_back_to_a_word_boundary() -> None:
    text = " ".join(["pothole"] * 60)  # no sentence end at all
    parts = sms_text.split_message(text, max_segments=1)
    assert len(parts) == 3
    assert all(part.split() == ["pothole"] * len(part.split()) for part in parts)


def test_a_single_overlong_word_is_cut_between_characters() -> None:
    parts = sms_text.split_message("x" * 400, max_segments=1)
    assert [len(part) for part in parts] == [160, 160, 80]


def test_ucs2_text_splits_on_ucs2_limits_without_breaking_emoji() -> None:
    text = "Gracias 🙂 " * 30
    parts = sms_text.split_message(text, max_segments=1)
    assert all(sms_text.count_segments(part).units <= 70 for part in parts)
    assert "".join(parts).count("🙂") == 30


def test_max_segments_must_be_positive() -> None:
    with pytest.raises(ValueError):
        sms_text.split_message("hi", max_segments=0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc xyz.!?\n€ñ") + ["🙂", "ł"]), max_size=900),
       st.integers(min_value=1, max_value=4))
def test_split_parts_always_fit_and_keep_every_word(text: str, max_segments: int) -> None:
    parts = sms_text.split_message(text, max_segments)
    for part in parts:
        assert sms_text.count_segments(part).segments <= max_segments
    assert "".join("".join(parts).split()) == "".join(text.split())


BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_buttons_become_numbered_options() -> None:
    assert sms_text.render_reply("Is that right?", BUTTONS) == "Is that right?\nReply 1 for Yes, 2 for No"


@pytest.mark.parametrize("buttons, expected", [
    ([], []),
    ([{"title": "Submit", "payload": '/inform{"field":"category"}'}],
     [sms_text.NumberedOption(1, "Submit", '/inform{"field":"category"}')]),
    ([{"title": " ", "payload": "/affirm"}], [sms_text.NumberedOption(1, "/affirm", "/affirm")]),
    ([{"title": "", "payload": ""}, {"title": "Pothole", "payload": ""}],
     [sms_text.NumberedOption(1, "Pothole", "Pothole")]),
])
def test_numbered_options(buttons: list, expected: list) -> None:
    assert sms_text.numbered_options(buttons) == expected


@pytest.mark.parametrize("text, buttons, line", [
    ("¿Responde esto a tu pregunta?", [("Sí", "/affirm"), ("No", "/deny")],
     "Responde 1 para Sí, 2 para No"),
    ("Isto responde à sua pergunta?", [("Sim", "/affirm"), ("Não", "/deny")],
     "Responda 1 para Sim, 2 para Não"),
    ("Is uw vraag hiermee beantwoord?", [("Ja", "/affirm"), ("Nee", "/deny")],
     "Stuur 1 voor Ja, 2 voor Nee"),
    ("No estoy seguro de qué respuesta buscas. ¿Es alguna de estas?",
     [("¿A qué hora abre la biblioteca?", "/ask_policy"), ("Ninguna de estas", "/ask_policy")],
     "Responde 1 para ¿A qué hora abre la biblioteca?, 2 para Ninguna de estas"),
])
def test_the_options_line_is_in_the_replys_language(text: str, buttons: list,
                                                    line: str) -> None:
    rendered = sms_text.render_reply(text, [{"title": t, "payload": p} for t, p in buttons])
    assert rendered == f"{text}\n{line}"


def _responses_with_buttons() -> list:
    """Every response variant in domain/ that has buttons, with the language it is for."""
    import yaml
    from pathlib import Path

    found = []
    for path in sorted((Path(__file__).resolve().parents[2] / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses")
        for name, variants in (responses or {}).items():
            for variant in variants:
                if not variant.get("buttons"):
                    continue
                languages = [condition["value"] for condition in variant.get("condition") or []
                             if condition.get("name") == "language"]
                found.append(pytest.param(variant["text"], variant["buttons"],
                                          languages[0] if languages else "en",
                                          id=f"{name}-{languages[0] if languages else 'en'}"))
    return found


@pytest.mark.parametrize("text, buttons, language", _responses_with_buttons())
def test_every_reply_with_buttons_numbers_them_in_its_own_language(text: str, buttons: list,
                                                                   language: str) -> None:
    prompt = sms_text.OPTION_PROMPTS[language]["line"].split("{")[0]
    assert sms_text.render_reply(text, buttons).splitlines()[-1].startswith(prompt)


def test_text_without_buttons_is_the_text() -> None:
    assert sms_text.render_reply("Hello") == "Hello"


OPTIONS = [option.as_dict() for option in sms_text.numbered_options(BUTTONS)]


@pytest.mark.parametrize("reply, payload", [
    ("1", "/affirm"), (" 2 ", "/deny"), ("2.", "/deny"), ("#1", "/affirm"), ("1)", "/affirm"),
    ("3", None), ("0", None), ("one", None), ("1 2", None), ("12 High St", None), ("", None),
    (None, None),
    ("yes", "/affirm"), ("NO.", "/deny"), ("Yes!", "/affirm"),  # a title typed out
    ("yes please", None), ("no idea", None),  # more than the title: the model reads it
])
def test_pick_option(reply: str, payload: str) -> None:
    assert sms_text.pick_option(reply, OPTIONS) == payload


def test_pick_option_without_offered_options_is_none() -> None:
    assert sms_text.pick_option("1", []) is None
    assert sms_text.pick_option("yes", []) is None


def test_a_dutch_title_typed_is_its_option() -> None:
    """"Versturen", the summary's Send button, is "no" to the model at 0.98."""
    buttons = [{"title": "Versturen", "payload": "/affirm"},
               {"title": "Plaats wijzigen", "payload": '/inform{"field":"location"}'},
               {"title": "Annuleren", "payload": "/deny"}]
    options = [option.as_dict() for option in sms_text.numbered_options(buttons)]
    assert sms_text.pick_option("versturen", options) == "/affirm"
    assert sms_text.pick_option("Plaats  wijzigen", options) == '/inform{"field":"location"}'


@pytest.mark.parametrize("reply, might", [("2", True), ("Versturen", True),
                                          ("Yes, talk to a person", True), ("", False),
                                          ("there is a big hole outside number 12 on Elm", False)])
def test_only_short_replies_are_looked_up(reply: str, might: bool) -> None:
    assert sms_text.might_pick_option(reply) is might
