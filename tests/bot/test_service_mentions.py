"""bot.service_mentions: the kinds of problem a message names, from the catalogue's names and
keywords in four languages; plurals count, negated and vague ones do not."""
from __future__ import annotations

from typing import Any, Callable, List

import pytest

from bot.service_mentions import services_mentioned


@pytest.mark.parametrize("text, named", [
    ("has the pothole been fixed yet?", ["pothole"]),
    ("any news on the potholes I reported?", ["pothole"]),
    ("what about my street light report", ["streetlight"]),
    ("STREETLIGHTS still out?", ["streetlight"]),
    ("¿ya arreglaron el bache?", ["pothole"]),
    ("¿qué pasa con la farola?", ["streetlight"]),
    ("e o buraco na rua, já foi tapado?", ["pothole"]),
    ("hoe staat het met mijn melding over de lantaarnpaal?", ["streetlight"]),
    ("are the traffic lights fixed", ["traffic_signal"]),  # not a street light
    ("the pothole and the graffiti: any news?", ["pothole", "graffiti"]),
    ("not the pothole, the street light", ["streetlight"]),
    ("Street light fault C-2026-000001", ["streetlight"]),  # the service's own name
])
def test_the_kinds_named(text: str, named: List[str],
                         session_for: Callable[[], Any]) -> None:
    with session_for() as session:
        assert services_mentioned(session, text) == named


@pytest.mark.parametrize("text", [
    "what's the status of my report?",
    "any news?",
    "is my problem sorted?",  # "problem" is the vague "other" service
    "hoe staat het met mijn melding?",
    "¿cómo va lo mío?",
    "this is the status",  # a word ending in "s" is not made to match anything
])
def test_nothing_named(text: str, session_for: Callable[[], Any]) -> None:
    with session_for() as session:
        assert services_mentioned(session, text) == []
