"""The wording of status updates in the four languages: the reason is carried, "resolved"
asks the reporter whether it is fixed and for a 1-5 rating, and every template in
content/channels.yml `notifications:` exists in every language with known placeholders."""
from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Callable

import pytest
import yaml
from sqlalchemy import select

from bot.cases import change_status, open_case
from bot.db import session_scope
from bot.models import Case, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
LATER = dt.datetime(2026, 11, 25, 9, 0)
LANGUAGES = ("en", "es", "pt", "nl")
PLACEHOLDERS = {"reference", "service", "status", "reason", "next_step", "target"}


def only_message(db: str, case_id: int) -> OutboxMessage:
    with session_scope(db) as session:
        [message] = session.execute(select(OutboxMessage)
                                    .where(OutboxMessage.case_id == case_id)).scalars().all()
        return message


@pytest.mark.parametrize("language, expected", [
    ("en", "Update on your report {ref} (Pothole): passed to another organisation. "
           "This road belongs to the county; contact 0300 123 4567. This is handled by another "
           "organisation; we have passed your report to them."),
    ("es", "Novedades de su aviso {ref} (Bache): derivado a otro organismo. "
           "This road belongs to the county; contact 0300 123 4567. De esto se encarga otro "
           "organismo; le hemos pasado tu aviso."),
    ("pt", "Novidades do seu pedido {ref} (Buraco na estrada): encaminhado para outra entidade. "
           "This road belongs to the county; contact 0300 123 4567. Isto é tratado por outra "
           "entidade; encaminhámos o seu pedido para eles."),
    ("nl", "Nieuws over uw melding {ref} (Gat in de weg): doorgestuurd naar een andere "
           "organisatie. This road belongs to the county; contact 0300 123 4567. Een andere "
           "organisatie gaat hierover; we hebben uw melding aan hen doorgegeven."),
])
def test_referral_reaches_the_citizen_in_their_language_with_the_reason(
        db: str, report: Callable[..., dict], language: str, expected: str) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language=language)).case
        change_status(session, case, "referred",
                      "This road belongs to the county; contact 0300 123 4567", by="alice",
                      now=LATER)
    message = only_message(db, case.id)
    assert message.language == language
    assert message.body == expected.format(ref=case.reference)


@pytest.mark.parametrize("language, question", [
    ("en", "Is it really fixed? Reply yes or no, and rate us from 1 (poor) to 5 (very good)."),
    ("es", "¿Está realmente arreglado? Responda sí o no, y valórenos del 1 (mal) al 5 (muy bien)."),
    ("pt", "Está mesmo resolvido? Responda sim ou não e avalie-nos de 1 (mau) a 5 (muito bom)."),
    ("nl", "Is het echt opgelost? Antwoord ja of nee, en geef ons een cijfer van 1 (slecht) tot 5 "
           "(heel goed)."),
])
def test_resolved_asks_the_reporter_if_it_is_fixed_and_for_a_rating(
        db: str, report: Callable[..., dict], language: str, question: str) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language=language)).case
        change_status(session, case, "resolved", "Filled and rolled", by="alice", now=LATER)
    message = only_message(db, case.id)
    assert message.body.endswith("Filled and rolled. " + question)
    assert case.reference in message.body
    assert message.payload["asks_fix_confirmation"] is True
    with session_scope(db) as session:
        assert session.get(Case, case.id).fix_confirmation == "asked"


def test_resolved_without_consent_asks_nobody(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(consent=False)).case
        change_status(session, case, "resolved", "Filled", by="alice", now=LATER)
        assert case.fix_confirmation is None
        assert session.execute(select(OutboxMessage)
                               .where(OutboxMessage.case_id == case.id)).first() is None


def test_every_template_exists_in_every_language_with_known_placeholders() -> None:
    templates = yaml.safe_load((ROOT / "content" / "channels.yml").read_text("utf-8"))["notifications"]
    question = templates.pop("case_question")
    answer = templates.pop("feedback_reply")
    assert set(templates) == {"status_update", "status_update_follower", "resolved_question",
                              "resolved_as_you_said", "merged"}
    for name, texts in templates.items():
        assert set(texts) == set(LANGUAGES), name
        for language, text in texts.items():
            fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
            assert fields <= PLACEHOLDERS, (name, language, fields)
            assert "reason" in fields and "reference" in fields, (name, language)
    for texts, placeholders in ((question, {"reference", "service", "question"}),
                                (answer, {"reply"})):
        assert set(texts) == set(LANGUAGES)
        for language, text in texts.items():
            fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
            assert fields == placeholders, (language, fields)
