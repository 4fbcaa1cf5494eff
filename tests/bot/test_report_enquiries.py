"""bot.report_enquiries: a message that asks how the citizen's own report stands, in any of
the four languages; questions about reports in general and other talk of a report are not."""
from __future__ import annotations

import pytest

from bot.report_enquiries import asks_after_a_report


@pytest.mark.parametrize("text", [
    "hola, ¿qué pasa con mi aviso?",  # a policy question at 0.67 to the model
    "¿hay alguna novedad de lo que avisé el lunes?",
    "¿alguien ha revisado mi queja de la semana pasada?",
    "olá, o que se passa com o meu pedido?",  # a policy question at 0.98
    "continuo à espera de notícias do meu pedido",
    "boa tarde, queria saber como está a minha queixa",
    "hebben jullie al naar de lantaarnpaal gekeken die ik doorgaf?",
    "hoi, wat gebeurt er met mijn melding?",
    "what's happening with my report?",
    "any news on what I reported last week",
])
def test_asking_how_ones_report_stands_is_an_enquiry(text: str) -> None:
    assert asks_after_a_report(text)


@pytest.mark.parametrize("text", [
    "what happens to my report once I've sent it",  # how reporting works
    "qué pasa con mi aviso cuando lo envío",
    "o que acontece ao meu pedido depois de o enviar",
    "I want to add a photo to my report",  # adding to it
    "mi aviso no está arreglado",  # not fixed: its own flow
    "what's going on with the bins",  # no report of theirs
    "el estado de la calle es horrible",
    "how long do you keep reports for",
])
def test_other_talk_of_reports_is_not(text: str) -> None:
    assert not asks_after_a_report(text)
