"""Two problems in one first message become two reports, end to end over REST (Rasa server,
action server, case database), in each of the four languages.

The citizen is told there will be two reports, the one named first is made, and straight
after its reference the other starts on its own words, its street taken from the first
message: nothing is typed twice, and neither problem is lost.
"""
from __future__ import annotations

import uuid
from typing import Dict, List

import pytest
from sqlalchemy import create_engine, text

from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import REFERENCE, cases_where, texts
from tests.lang.test_report_journey_languages import JOURNEYS, bot_replies, variation_patterns

pytestmark = pytest.mark.slow

MAX_TURNS = 24
FIRST: Dict[str, str] = {
    "en": "there's a pothole on Elm Street and the streetlight next to it is out too",
    "es": "hay un bache en la calle Olmo y la farola de al lado está apagada",
    "pt": "há um buraco na rua do Olmo e o candeeiro ao lado está apagado",
    "nl": "er zit een gat in de weg in de Iepenstraat en de lantaarnpaal ernaast is kapot",
}
STREET = {"en": "Elm Street", "es": "calle Olmo", "pt": "rua do Olmo", "nl": "Iepenstraat"}


def reply_to(language: str, requested: str) -> str:
    """The citizen's answer: the house number on the street the first message named."""
    skip = JOURNEYS[language]["skip"]
    return {"location": "5", "follow_duplicate": "/deny",
            "description": JOURNEYS[language]["description"], "followup": skip,
            "photos": skip, "consent": "/affirm", "confirmed": "/affirm"}[requested]


@pytest.mark.parametrize("language", sorted(FIRST))
def test_two_problems_in_one_message_become_two_reports(assistant_servers: AssistantServers,
                                                         language: str) -> None:
    sender = str(uuid.uuid4())
    transcript = texts(assistant_servers.say(sender, FIRST[language]))
    for _ in range(MAX_TURNS):
        slots = assistant_servers.tracker(sender)["slots"]
        if slots.get("requested_slot") is None:
            break
        transcript += "\n" + texts(assistant_servers.say(
            sender, reply_to(language, slots["requested_slot"])))

    references = list(dict.fromkeys(REFERENCE.findall(transcript)))
    assert len(references) == 2, transcript
    rows = [cases_where(assistant_servers.database_url, "reference = :ref", ref=reference)[0]
            for reference in references]
    assert [row["service_code"] for row in rows] == ["pothole", "streetlight"], transcript
    assert all(row["sender_id"] == sender for row in rows)
    addresses = addresses_of(assistant_servers.database_url, references)
    assert all(STREET[language].casefold() in address.casefold() for address in addresses), \
        addresses  # the second's street came from the first message
    replies = bot_replies(assistant_servers, sender)
    said = [(reply.get("metadata") or {}).get("utter_action") for reply in replies]
    assert said[0] == "utter_two_problems" and "utter_next_problem_now" in said, said
    patterns = variation_patterns(language)
    for reply in replies:
        name = (reply.get("metadata") or {}).get("utter_action")
        assert patterns[name].fullmatch(reply["text"]), (language, name, reply["text"])


def addresses_of(database_url: str, references: List[str]) -> List[str]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return [connection.execute(text("SELECT address FROM cases WHERE reference = :ref"),
                                       {"ref": reference}).scalar_one()
                    for reference in references]
    finally:
        engine.dispose()
