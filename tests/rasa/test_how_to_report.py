"""Asking how to report a problem starts the report.

"how do I report a pothole" went to the fallback and "how do I report a stray dog" to the FAQ,
which has no entry for it and offered dog fouling instead: the citizen who asked how to take
part was told nothing they could act on. A citizen asking how to report something wants to
report it, so these phrasings are trained as reports of that service (data/nlu/*/
report_problem.yml, "how do I report ..."), and the form starts with the category known.
Questions about reporting itself (anonymity, what happens next) must not start a report.

The messages below are worded unlike any training example (checked first), so the test
measures what the model learnt, not what it memorised. Shares rather than every message, as
in test_unknown_words: one retrain may move a borderline message.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from bench.nlu_eval import load_examples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
MIN_SHARE = 0.85

HOW_TO_REPORT: List[Tuple[str, str]] = [
    ("how should I report the pothole outside my house", "pothole"),
    ("where do I go to report a stray dog", "animal"),
    ("who do I report graffiti to", "graffiti"),
    ("how can I report rubbish someone dumped by the river", "illegal_dumping"),
    ("whats the best way to report a broken streetlight", "streetlight"),
    ("how would i report my neighbours dog barking all night", "noise"),
    ("where can i report a car parked across my drive", "illegal_parking"),
    ("how do you report a fallen tree blocking the path", "tree"),
    ("como puedo denunciar un bache en mi calle", "pothole"),
    ("donde se avisa de una farola rota", "streetlight"),
    ("como posso comunicar um buraco na minha rua", "pothole"),
    ("onde se reporta um candeeiro avariado", "streetlight"),
    ("hoe kan ik een gat in het fietspad melden", "pothole"),
    ("waar kan ik een kapotte lantaarn melden", "streetlight"),
]
ABOUT_REPORTING = [
    "can I report something without giving my name",
    "how long does it take to fix a pothole after I report it",
    "what happens to a report once I've sent it",
    "will the person I report find out it was me",
    "how long do you keep reports for",
    "puedo avisar de algo sin dar mi nombre",
    "qué pasa con mi aviso cuando lo envío",
    "o que acontece depois de fazer uma denúncia",
    "hoe lang duurt het voordat een melding wordt opgepakt",
]


# Can I report without my name, and will the person I report find out? Citizens ask this
# before reporting a neighbour's noise or dog. The FAQ answers it (anonymous-reporting-privacy);
# the model must not take it for a report, feedback or a status check they did not ask for.
ABOUT_ANONYMITY = [
    "can I report something without giving my name",
    "must I tell you my name",
    "do I have to give my name",
    "will the person I report find out it was me",
    "does my report stay anonymous",
    "will they know it was me who reported the noise",
    "puedo avisar de algo sin dar mi nombre",
    "¿sabrán quién ha puesto la denuncia?",
    "posso comunicar sem dizer quem sou",
    "o meu nome aparece na denúncia?",
    "krijgt degene over wie ik klaag mijn naam te horen",
    "moet ik mijn naam opgeven",
]
# A form the citizen did not ask for: the worst reading of a question about anonymity.
FORM_STARTERS = ("report_problem", "give_feedback", "add_to_report")
# The model's own "I can't place it" goes to the FAQ's second look, which answers these.
REACHES_THE_FAQ = ("ask_policy", "nlu_fallback")


def comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def category_of(parsed: Dict[str, Any]) -> Any:
    return next((entity["value"] for entity in parsed["entities"]
                 if entity["entity"] == "category"), None)


def test_the_messages_are_not_training_examples() -> None:
    trained = {comparable(example.text) for path in (ROOT / "data/nlu").glob("*/*.yml")
               if path.name != "regex.yml" for example in load_examples(path)}
    asked = [text for text, _ in HOW_TO_REPORT] + ABOUT_REPORTING + ABOUT_ANONYMITY
    assert [text for text in asked if comparable(text) in trained] == []


def test_asking_how_to_report_a_problem_is_a_report_of_it(parse) -> None:  # type: ignore[no-untyped-def]
    parsed = parse([text for text, _ in HOW_TO_REPORT])
    found = {text: (item["intent"]["name"], category_of(item))
             for (text, _), item in zip(HOW_TO_REPORT, parsed)}
    reports = [text for text, (intent, _) in found.items() if intent == "report_problem"]
    assert len(reports) >= MIN_SHARE * len(HOW_TO_REPORT), found
    right = [text for text, category in HOW_TO_REPORT if found[text] == ("report_problem", category)]
    assert len(right) >= MIN_SHARE * len(HOW_TO_REPORT) - 1, found


def test_questions_about_reporting_itself_do_not_start_a_report(parse) -> None:  # type: ignore[no-untyped-def]
    """Most are policy questions; one the model cannot place still reaches the FAQ through
    the misunderstanding's second look (actions.policy.second_look_in_faq). What must not
    happen is a report form opened for a question about reporting. One is allowed, as a
    retrain may move a borderline message."""
    found = {text: item["intent"]["name"] for text, item in zip(ABOUT_REPORTING, parse(ABOUT_REPORTING))}
    assert list(found.values()).count("report_problem") <= 1, found
    assert list(found.values()).count("ask_policy") > len(ABOUT_REPORTING) / 2, found  # most


def test_questions_about_anonymity_reach_the_faq_and_open_no_form(parse) -> None:  # type: ignore[no-untyped-def]
    """Before the anonymity examples in data/nlu/*/policy.yml (model of c86348c), none of
    the first eleven was read as a policy question and four opened a form (feedback for "do
    I have to give my name", a report for "puedo avisar de algo sin dar mi nombre"); four
    reached the FAQ. Those examples avoid the words of a greeting with a name, which an
    earlier set moved to ask_policy."""
    found = {text: item["intent"]["name"]
             for text, item in zip(ABOUT_ANONYMITY, parse(ABOUT_ANONYMITY))}
    assert [text for text, intent in found.items() if intent in FORM_STARTERS] == [], found
    reached = [text for text, intent in found.items() if intent in REACHES_THE_FAQ]
    assert len(reached) >= 0.6 * len(ABOUT_ANONYMITY), found
