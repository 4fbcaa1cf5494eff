"""A citizen who says their problem is fixed, end to end over REST with the real Rasa server,
action server and case database.

Before, "the streetlight on Oak Avenue is working again" opened a new streetlight report,
and "ya está arreglado, podéis cerrar el aviso" was read as "still not fixed", which reopens
a resolved case. Now the words go to the citizen's report: an open one is flagged for a
caseworker to check and close, a resolved one has its fix confirmed."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.servers import AssistantServers
from tests.integration.test_report_journey_rest import _of_case, texts
from tests.integration.test_report_replies_rest import _open_cases

pytestmark = pytest.mark.slow


def _kinds(database_url: str, reference: str) -> list:
    return _of_case(database_url, reference,
                    "SELECT e.kind FROM case_events e JOIN cases c ON c.id = e.case_id "
                    "WHERE c.reference = :r ORDER BY e.id")


def _case_count(database_url: str, sender: str) -> int:
    return len(_of_case(database_url, sender,
                        "SELECT reference FROM cases WHERE sender_id = :r"))


def test_working_again_goes_to_the_report_it_names(assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    made = _open_cases(assistant_servers, sender, "pothole", "streetlight")
    reply = texts(assistant_servers.say(sender, "the streetlight on Oak Avenue is working again"))
    assert made["streetlight"] in reply and "check and close" in reply, reply
    database = assistant_servers.database_url
    assert _kinds(database, made["streetlight"])[-1] == "says_fixed"
    assert "says_fixed" not in _kinds(database, made["pothole"])
    assert _case_count(database, sender) == 2  # no new report
    slots = assistant_servers.tracker(sender)["slots"]
    assert slots["requested_slot"] is None and slots["note_case"] is None, slots


def test_fixed_said_of_a_resolved_case_confirms_it_instead_of_reopening_it(
        assistant_servers: AssistantServers) -> None:
    from bot.cases import change_status, find_case
    from bot.db import session_scope

    sender = str(uuid.uuid4())
    reference = _open_cases(assistant_servers, sender, "streetlight")["streetlight"]
    with session_scope(assistant_servers.database_url) as session:
        change_status(session, find_case(session, reference), "resolved", "Lamp replaced",
                      "staff:ana")
    reply = texts(assistant_servers.say(sender, "ya está arreglado, podéis cerrar el aviso"))
    assert reference in reply and "Gracias" in reply, reply
    status = _of_case(assistant_servers.database_url, reference,
                      "SELECT status || ' ' || coalesce(fix_confirmation, '') FROM cases "
                      "WHERE reference = :r")
    assert status == ["resolved confirmed"]


def test_without_a_report_nothing_is_opened(assistant_servers: AssistantServers) -> None:
    sender = str(uuid.uuid4())
    reply = texts(assistant_servers.say(sender, "de lantaarnpaal doet het weer, bedankt"))
    assert "Fijn dat het is opgelost" in reply, reply
    assert _case_count(assistant_servers.database_url, sender) == 0
    assert assistant_servers.tracker(sender)["slots"]["requested_slot"] is None
