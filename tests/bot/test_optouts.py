"""bot/optouts.py: the STOP/START/HELP keywords and the opt-out record, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable

import pytest

from bot import optouts
from bot.city import City

NOW = dt.datetime(2026, 11, 23, 12, 0)


@pytest.fixture
def number() -> str:
    """A phone number nobody else in the session uses."""
    return "+4477009" + str(uuid.uuid4().int)[:5]


@pytest.mark.parametrize("text, kind", [
    ("STOP", "stop"), ("stop", "stop"), ("  Stop \n", "stop"), ("STOPALL", "stop"),
    ("unsubscribe", "stop"), ("Cancel", "stop"), ("END", "stop"), ("quit", "stop"),
    ("REVOKE", "stop"), ("optout", "stop"),
    ("START", "start"), ("yes", "start"), ("Unstop", "start"),
    ("HELP", "help"), ("info", "help"),
    ("stop the report", None), ("please stop", None), ("opt out", None), ("STOP!", None),
    ("", None), (None, None), ("helpful", None),
])
def test_keyword_is_the_whole_trimmed_message_in_any_case(text: str, kind: str) -> None:
    assert optouts.keyword_of(text) == kind


@pytest.mark.parametrize("text, answer", [("yes", True), (" YES ", True), ("START", False),
                                          ("unstop", False), ("yes please", False)])
def test_only_yes_is_also_an_everyday_answer(text: str, answer: bool) -> None:
    assert optouts.is_also_an_answer(text) is answer


def test_stop_opts_out_at_once_and_confirms_only_the_first_time(
        session_for: Callable[[], Any], number: str) -> None:
    with session_for() as session:
        assert optouts.is_opted_out(session, "sms", number) is False
        assert optouts.opt_out(session, "sms", number, "stop", NOW) is True
        assert optouts.is_opted_out(session, "sms", number) is True
    with session_for() as session:
        assert optouts.opt_out(session, "sms", number, "QUIT", NOW) is False  # no second reply
        assert optouts.is_opted_out(session, "sms", number) is True


def test_start_opts_back_in_and_a_later_stop_confirms_again(
        session_for: Callable[[], Any], number: str) -> None:
    with session_for() as session:
        optouts.opt_out(session, "sms", number, "STOP", NOW)
        assert optouts.opt_in(session, "sms", number, NOW + dt.timedelta(days=1)) is True
        assert optouts.is_opted_out(session, "sms", number) is False
        assert optouts.opt_in(session, "sms", number, NOW) is False  # already in
        assert optouts.opt_out(session, "sms", number, "END", NOW + dt.timedelta(days=2)) is True
        assert optouts.is_opted_out(session, "sms", number) is True


def test_opt_out_is_per_channel(session_for: Callable[[], Any], number: str) -> None:
    with session_for() as session:
        optouts.opt_out(session, "sms", number, "STOP", NOW)
        assert optouts.is_opted_out(session, "telegram", number) is False


def test_start_from_a_number_that_never_opted_out_changes_nothing(
        session_for: Callable[[], Any], number: str) -> None:
    with session_for() as session:
        assert optouts.opt_in(session, "sms", number, NOW) is False
        assert optouts.is_opted_out(session, "sms", number) is False


CITY = City(name="Riverton", timezone="Europe/London", phone="+44 1632 960000",
            email="contact@riverton.example.gov", website="https://riverton.example.gov",
            staffed_hours={}, holidays=frozenset())


def test_help_reply_names_the_programme_and_a_contact() -> None:
    text = optouts.keyword_reply("help", "en", CITY)
    assert "Riverton" in text and "+44 1632 960000" in text and "STOP" in text


@pytest.mark.parametrize("kind", ["stop", "start", "help"])
def test_untranslated_language_falls_back_to_english(kind: str) -> None:
    assert optouts.keyword_reply(kind, "fr", CITY) == optouts.keyword_reply(kind, "en", CITY)


@pytest.mark.parametrize("language", ["en", "es", "pt", "nl"])
@pytest.mark.parametrize("kind", ["stop", "start", "help"])
def test_keyword_replies_exist_in_every_language(language: str, kind: str) -> None:
    from bot.city import load_city
    from bot.optouts import keyword_reply

    city = load_city()
    reply = keyword_reply(kind, language, city)
    english = keyword_reply(kind, "en", city)
    assert city.name in reply and "{" not in reply
    assert (reply != english) == (language != "en")
    # The carrier keyword that undoes this one is named, in English, whatever the language.
    assert ("START" if kind == "stop" else "STOP") in reply
