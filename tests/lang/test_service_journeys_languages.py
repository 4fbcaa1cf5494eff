"""Beyond reporting, over the REST channel in Spanish, Portuguese and Dutch: a status check with
a reference, a policy question answered from the FAQ, and feedback with a rating. The first
message sets the conversation's language and every reply is that language's response variation,
filled with content in that language (status label, FAQ answer).
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from sqlalchemy import create_engine, text

from bot.cases import open_case
from bot.db import session_scope
from bot.services import status_text
from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import texts
from tests.lang.test_report_journey_languages import bot_replies, variation_patterns

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["es", "pt", "nl"]
# Phrased the way the training data phrases them: these tests check the journey (language,
# core lookup, localised reply); how well free phrasings are understood is `make bench-lang`.
STATUS_QUESTION = {"es": "buenas, quiero consultar mi aviso {reference} por favor",
                   "pt": "ola, gostaria de saber em que ponto esta o meu pedido {reference}",
                   "nl": "hallo, hoe staat het met mijn melding {reference}?"}
BIN_DAY_QUESTION = {"es": "hola, que dia se recoge la basura en mi barrio?",
                    "pt": "ola, que dia e a recolha do lixo na minha rua?",
                    "nl": "welke dag wordt het afval bij ons in de straat opgehaald?"}
FEEDBACK = {"es": "quiero dejar mi opinion, el chat de la ciudad me parecio muy util y rapido",
            "pt": "quero deixar a minha opiniao, o chat da camara foi muito util e rapido",
            "nl": "ik wil graag mijn mening geven, de chat van de gemeente was erg handig en snel"}
RATING_BUTTON = '/inform{"rating":"4"}'


def uttered(servers: AssistantServers, sender: str) -> List[str]:
    """The response names of the bot's replies, in order."""
    return [(reply.get("metadata") or {}).get("utter_action") for reply in bot_replies(servers, sender)]


def assert_replies_in(servers: AssistantServers, sender: str, language: str) -> None:
    """The conversation kept `language`, and every reply is a domain response's variation in it."""
    assert servers.tracker(sender)["slots"]["language"] == language
    patterns = variation_patterns(language)
    for reply in bot_replies(servers, sender):
        name = (reply.get("metadata") or {}).get("utter_action")
        assert name in patterns, f"a reply without a domain response: {reply.get('text')!r}"
        assert patterns[name].fullmatch(reply["text"]), (language, name, reply["text"])


def faq_answer(topic: str, language: str) -> str:
    """The seeded FAQ answer of `topic` in `language`, as content/faq.yml holds it."""
    entries = yaml.safe_load((ROOT / "content" / "faq.yml").read_text(encoding="utf-8"))["entries"]
    return next(entry for entry in entries if entry["topic"] == topic)["answer"][language]


def feedback_rows(database_url: str, sender: str) -> List[Dict[str, object]]:
    """Rows of the feedback table for one sender, read straight from the servers' database."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT rating, language FROM feedback WHERE sender_id = :sender"),
                {"sender": sender})
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_status_check_answers_with_the_status_label_in_the_citizens_language(
        assistant_servers: AssistantServers, language: str) -> None:
    with session_scope(assistant_servers.database_url) as session:
        reference = open_case(
            session, submission_id=uuid.uuid4().hex, service_code="pothole",
            description="Deep pothole by the bus stop", address="1 Status Check Row", latitude=None,
            longitude=None, channel="webchat", sender_id=f"another-{uuid.uuid4()}",
            language=language).case.reference
    sender = str(uuid.uuid4())

    reply = texts(assistant_servers.say(sender, STATUS_QUESTION[language].format(reference=reference)))

    assert reference in reply, reply
    assert status_text("new", language).label in reply, reply
    assert uttered(assistant_servers, sender)[-1] == "utter_case_status", reply
    assert_replies_in(assistant_servers, sender, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bin_day_question_is_answered_from_the_faq_in_the_citizens_language(
        assistant_servers: AssistantServers, language: str) -> None:
    sender = str(uuid.uuid4())

    reply = texts(assistant_servers.say(sender, BIN_DAY_QUESTION[language]))

    assert faq_answer("bin-collection-day", language) in reply, reply
    assert uttered(assistant_servers, sender)[-1] == "utter_policy_answer_ask_rating", reply
    assert_replies_in(assistant_servers, sender, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_feedback_with_a_rating_is_kept_and_thanked_in_the_citizens_language(
        assistant_servers: AssistantServers, language: str) -> None:
    sender = str(uuid.uuid4())

    transcript = texts(assistant_servers.say(sender, FEEDBACK[language]))
    assert uttered(assistant_servers, sender)[-1] == "utter_ask_feedback_rating", transcript
    transcript += "\n" + texts(assistant_servers.say(sender, RATING_BUTTON))

    assert uttered(assistant_servers, sender)[-1] == "utter_feedback_thanks", transcript
    assert feedback_rows(assistant_servers.database_url, sender) == [
        {"rating": 4, "language": language}]
    assert_replies_in(assistant_servers, sender, language)
