"""bot.problem_fixed.says_it_is_done: "the streetlight is working again" tells the city the
problem is fixed, in each language; a question, a negation or "but it's broken again" does
not, since a wrong "fixed" would have a caseworker close a case that still needs a crew."""
from __future__ import annotations

import pytest

from bot.problem_fixed import asks_whether_fixed, says_it_is_done

DONE = [
    "the pothole I reported has been filled in",
    "the streetlight on Oak Avenue is working again",
    "they've fixed the light, thanks",
    "good news, the fly-tipping has been cleared",
    "you can close my report, it's sorted",
    "the noise has stopped, no need to do anything",
    "can you close my report? it's sorted",
    "C-2026-000018 is fixed, thanks",
    "Fixed",
    "la farola ya funciona, gracias",
    "ya han tapado el bache que avisé",
    "ya está arreglado, podéis cerrar el aviso",
    "ya no hace falta, ya lo arreglaron",
    "já arranjaram o candeeiro, obrigado",
    "o lixo já foi recolhido, podem fechar o pedido",
    "o buraco que reportei já foi reparado",
    "de lantaarnpaal doet het weer, bedankt",
    "het gat in de weg is al gedicht",
    "the streetlight is back on, thanks",
    "mijn melding mag gesloten worden, het is opgelost",
]

NOT_DONE = [
    "has the pothole been fixed yet?",
    "has the pothole I reported been repaired",
    "when will it be fixed",
    "is it fixed?",
    "Fixed?",
    "it's still not fixed",
    "they fixed it but it's broken again",
    "the light you fixed last week is out again",
    "it was repaired badly and is already crumbling",
    "has my report been closed?",
    "the public clock on the town hall has stopped",
    "the music I reported is back on, it's 1am",
    "the alarm is back on again",
    "the streetlight is broken, no need to call me back",
    "hoeft niet meer",
    "¿ya está arreglado?",
    "la farola sigue sin funcionar",
    "no han arreglado nada",
    "ainda não foi reparado",
    "nao recolheram o lixo",
    "de lamp is nog steeds niet gemaakt",
    "het afval is niet opgehaald",
    "there's a huge pothole on Elm street outside number 5",
    "/affirm",
    "",
]


@pytest.mark.parametrize("text", DONE)
def test_a_statement_that_it_is_fixed_is_read(text: str) -> None:
    assert says_it_is_done(text)


@pytest.mark.parametrize("text", NOT_DONE)
def test_a_question_a_negation_or_a_new_problem_is_not(text: str) -> None:
    assert not says_it_is_done(text)


@pytest.mark.parametrize("text, asks", [
    ("c-2026-000122 ja resolveram?", True),
    ("has anyone fixed it yet?", True),
    ("is het al gemaakt?", True),
    ("¿ya lo han arreglado?", True),
    ("why isn't it fixed yet?", False),
    ("is it still broken?", False),
    ("¿por qué sigue roto?", False),
    ("it's still broken", False),
    ("the pothole is still there", False),
])
def test_a_question_whether_it_is_fixed_is_told_from_a_complaint(text: str, asks: bool) -> None:
    assert asks_whether_fixed(text) is asks
