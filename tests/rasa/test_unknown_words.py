"""Street and people's names the model has never seen must not change what a message is about.

Citizens name streets, estates and shops that are in no training example, and introduce
themselves by names no example has. A classifier that weighs such words too much turns
"hello, I live at <street> Road" into out_of_scope or a report:
logistic regression did for every one of 200 names while it matched DIET on the training-data
splits and the held-out files (docs/performance.md, fourth session). The names below are
invented; a message must keep its intent for at least MIN_SHARE of them.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

import pytest

pytestmark = pytest.mark.slow

INVENTED_NAMES = ["Cugoho", "Dozoji", "Dugono", "Duruve", "Duwoni", "Feluze", "Filuxe", "Gawewi",
                  "Gineme", "Guzuzo", "Hizuqe", "Hodiwe", "Jamigu", "Jaseku", "Jidepu", "Lozidu",
                  "Mewicu", "Momupu", "Mupipu", "Nocifu", "Pitigu", "Qofuxi", "Qulene", "Rurutu",
                  "Silafo", "Tijega", "Tuxaku", "Vecotu", "Videxu", "Vobupe", "Vogupe", "Vuxeza",
                  "Wecujo", "Wizexo", "Wowefe", "Xalama", "Xaqabo", "Zafapa", "Zevuho", "Zodino"]
MIN_SHARE = 0.9
TEMPLATES = [
    ("hello, I live at {} Road", "greet"),
    ("there is a pothole on {} Street", "report_problem"),
    ("the streetlight on {} Avenue is broken", "report_problem"),
    ("hola, hay un bache en la calle {}", "report_problem"),
    ("hallo, de lantaarnpaal in de {}straat is kapot", "report_problem"),
    # A citizen who introduces themselves is greeted, whatever their name (it was out_of_scope
    # with full confidence for every one of these names in English).
    ("hi, my name is {}", "greet"),
    ("hola, me llamo {}", "greet"),
    ("oi, meu nome é {}", "greet"),
    ("goedemorgen, mijn naam is {}", "greet"),
]


@pytest.fixture(scope="module")
def intents_of(trained_model: Path):  # type: ignore[no-untyped-def]
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))

    def parse(texts: List[str]) -> List[str]:
        async def all_of() -> List[str]:
            return [(await agent.parse_message(text))["intent"]["name"] for text in texts]
        return asyncio.run(all_of())

    return parse


@pytest.mark.parametrize("template, intent", TEMPLATES, ids=[t for t, _ in TEMPLATES])
def test_an_unknown_street_name_does_not_change_the_intent(intents_of, template: str,  # type: ignore[no-untyped-def]
                                                            intent: str) -> None:
    found = intents_of([template.format(name) for name in INVENTED_NAMES])
    wrong = {name: got for name, got in zip(INVENTED_NAMES, found) if got != intent}
    assert len(wrong) <= (1 - MIN_SHARE) * len(INVENTED_NAMES), wrong
