"""A citizen reports a pothole over the REST channel in each of the four languages, end to end
(Rasa server, action server, case database). The first message sets the conversation's
language, one-word answers ("omitir", "/affirm") keep it, and every reply is the response
variation of that language, with the service's follow-up questions and name translated too.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Dict, List, Pattern

import pytest
import yaml

from bot.services import load_catalogue
from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import REFERENCE, cases_where, texts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MAX_TURNS = 15
JOURNEYS: Dict[str, Dict[str, str]] = {
    "en": {"first": "there's a huge pothole on Elm street outside number 5",
           "location": "outside number 5 Elm Street",
           "description": "A deep pothole about a metre wide in the middle of the road",
           "skip": "skip"},
    "es": {"first": "hay un bache enorme en la calle Olmo delante del numero 5",
           "location": "delante del numero 5 de la calle Olmo",
           "description": "Un bache muy hondo de casi un metro en medio de la calzada",
           "skip": "omitir"},
    "pt": {"first": "tem um buraco enorme na rua do Olmo em frente ao numero 5",
           "location": "em frente ao numero 5 da rua do Olmo",
           "description": "Um buraco muito fundo com quase um metro no meio da estrada",
           "skip": "pular"},
    "nl": {"first": "er zit een enorm gat in de weg in de Iepenstraat bij nummer 5",
           "location": "bij nummer 5 in de Iepenstraat",
           "description": "Een diep gat van bijna een meter breed midden op de weg",
           "skip": "overslaan"},
}


def answer(language: str, requested: str) -> str:
    """What the citizen replies to the form's question, in their language or with a button."""
    journey = JOURNEYS[language]
    return {"category": '/inform{"category":"pothole"}',
            "category_suggestion": '/inform{"category":"pothole"}',
            "location": journey["location"], "follow_duplicate": "/deny",
            "description": journey["description"],
            "followup": journey["skip"], "photos": journey["skip"],
            "consent": "/affirm", "confirmed": "/affirm"}[requested]


def variation_patterns(language: str) -> Dict[str, Pattern[str]]:
    """Each response's text in `language` as a regex; {placeholders} match anything."""
    patterns = {}
    for path in (ROOT / "domain").glob("*.yml"):
        for name, variations in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            chosen = next((v for v in variations for c in v.get("condition") or []
                           if c.get("name") == "language" and c.get("value") == language),
                          variations[-1])
            parts = re.split(r"\{\w+\}", chosen["text"])
            patterns[name] = re.compile("(?s)" + ".*".join(re.escape(part) for part in parts))
    return patterns


def bot_replies(servers: AssistantServers, sender: str) -> List[Dict[str, Any]]:
    return [event for event in servers.tracker(sender)["events"] if event.get("event") == "bot"]


@pytest.mark.parametrize("language", sorted(JOURNEYS))
def test_a_report_journey_is_answered_in_the_citizens_language(
        assistant_servers: AssistantServers, language: str) -> None:
    sender = str(uuid.uuid4())
    transcript = texts(assistant_servers.say(sender, JOURNEYS[language]["first"]))
    for _ in range(MAX_TURNS):
        slots = assistant_servers.tracker(sender)["slots"]
        assert slots["language"] == language, f"language lost:\n{transcript}"
        if slots.get("requested_slot") is None:
            break
        transcript += "\n" + texts(assistant_servers.say(sender, answer(language, slots["requested_slot"])))

    references = REFERENCE.findall(transcript)
    assert references, f"no case reference:\n{transcript}"
    rows = cases_where(assistant_servers.database_url, "reference = :ref", ref=references[-1])
    assert [row["service_code"] for row in rows] == ["pothole"]
    patterns = variation_patterns(language)
    replies = bot_replies(assistant_servers, sender)
    for reply in replies:
        name = (reply.get("metadata") or {}).get("utter_action")
        assert name in patterns, f"a reply without a domain response: {reply.get('text')!r}"
        assert patterns[name].fullmatch(reply["text"]), (language, name, reply["text"])
    pothole = next(spec for spec in load_catalogue() if spec.code == "pothole")
    assert pothole.names[language] in transcript, transcript
    prompts = [question["prompt"][language] for question in pothole.questions]
    assert any(prompt in transcript for prompt in prompts), transcript
