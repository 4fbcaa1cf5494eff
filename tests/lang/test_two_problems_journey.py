"""Two problems in one first message become two reports, end to end over REST (Rasa server,
action server, case database), in each of the four languages.

The citizen is told there will be two reports, the one named first is made, and straight
after its reference the other starts on its own words, asked whether it is at the same
place: one press, nothing typed twice, and neither problem is lost.
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
SAME_PLACE = '/inform{"field":"same_place"}'  # the button under the second place question
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
        same = slots["requested_slot"] == "location" and slots.get("place_before")
        transcript += "\n" + texts(assistant_servers.say(
            sender, SAME_PLACE if same else reply_to(language, slots["requested_slot"])))

    rows = cases_where(assistant_servers.database_url, "sender_id = :sender ORDER BY id",
                       sender=sender)
    assert [row["service_code"] for row in rows] == ["pothole", "streetlight"], transcript
    references = [row["reference"] for row in rows]
    assert all(reference in REFERENCE.findall(transcript) for reference in references)
    addresses = addresses_of(assistant_servers.database_url, references)
    assert STREET[language].casefold() in addresses[0].casefold(), addresses
    assert addresses[1] == addresses[0]  # "Same place", offered with the first's address
    replies = bot_replies(assistant_servers, sender)
    said = [(reply.get("metadata") or {}).get("utter_action") for reply in replies]
    assert said[0] == "utter_two_problems" and "utter_next_problem_now" in said, said
    assert "utter_ask_location_same_place" in said, said
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
