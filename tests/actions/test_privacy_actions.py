"""actions/privacy.py: a short summary of their data in chat, deletion after confirmation,
and the conversation's tracker rows removed once Rasa has saved the deleting turn."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
from sqlalchemy import select

from actions.privacy import ActionDeleteMyData, ActionExportMyData, finish_after_turn
from bot import privacy
from bot.db import session_scope
from bot.models import Case, PrivacyRequest
from bot.privacy_subject import Subject
from tests.actions.factories import make_tracker, responses, run_action
from tests.bot.test_privacy import leftovers, rasa_tracker_store


@pytest.fixture(autouse=True)
def empty_tracker_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the developer's var/tracker.db: an empty store unless a test writes one."""
    monkeypatch.setattr(privacy, "default_tracker_url", lambda: f"sqlite:///{tmp_path / 'none.db'}")


@pytest.fixture
def tracker_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Point the actions at a Rasa tracker store file holding the given conversation."""

    def make(sender: str, said: list) -> str:
        url = rasa_tracker_store(tmp_path / "tracker.db", sender, said)
        monkeypatch.setattr(privacy, "default_tracker_url", lambda: url)
        return url

    return make


def test_the_summary_counts_their_reports(open_test_case, domain: Dict[str, Any], tracker_store) -> None:  # type: ignore[no-untyped-def]
    sender = f"web-{uuid.uuid4().hex}"
    open_test_case(sender)
    tracker_store(sender, ["what data do you have about me"])
    _events, messages = run_action(ActionExportMyData(), make_tracker(
        text="what data do you have about me", intent="request_my_data", sender_id=sender), domain)
    assert responses(messages) == ["utter_my_data_summary"]
    assert messages[0]["cases"] == 1 and messages[0]["request"] >= 1 and messages[0]["contact"]


def test_someone_we_know_nothing_about_is_told_so(domain: Dict[str, Any], tracker_store) -> None:  # type: ignore[no-untyped-def]
    sender = f"web-{uuid.uuid4().hex}"
    tracker_store(sender, ["hello"])
    _events, messages = run_action(ActionExportMyData(), make_tracker(
        intent="request_my_data", sender_id=sender), domain)
    assert responses(messages) == ["utter_my_data_nothing"]


@pytest.mark.parametrize("action", [ActionExportMyData(), ActionDeleteMyData()])
def test_a_channel_without_data_rights_points_to_the_city(action, domain: Dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    _events, messages = run_action(action, make_tracker(intent="request_my_data", channel="rest"), domain)
    assert responses(messages) == ["utter_privacy_contact_city"]


def test_deletion_erases_their_cases_at_once(open_test_case, domain: Dict[str, Any], tracker_store) -> None:  # type: ignore[no-untyped-def]
    sender = f"web-{uuid.uuid4().hex}"
    reference = open_test_case(sender, description="hole by my house zz-secret")
    tracker_store(sender, ["delete my data"])
    _events, messages = run_action(ActionDeleteMyData(), make_tracker(
        text="yes", intent="affirm", sender_id=sender), domain)
    assert responses(messages) == ["utter_my_data_deleted"]
    with session_scope() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).unique().scalars().one()
        assert case.anonymised_at is not None and case.description == "" and case.sender_id != sender


def test_the_conversation_goes_once_rasa_has_saved_the_turn(tracker_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sender = f"web-{uuid.uuid4().hex}"
    url = tracker_store(sender, ["delete my data zz-words"])
    subject = Subject("webchat", sender)
    mark = privacy.conversation_mark(subject, url)
    result = privacy.delete_data(subject, requested_by="citizen", tracker_url=url, tracker_later=True)

    async def turn_then_finish() -> None:
        waiting = asyncio.get_running_loop().create_task(
            finish_after_turn(result.request_id, subject, url, mark, deadline_seconds=30))
        await asyncio.sleep(0.2)
        assert not waiting.done(), "it waits for the turn to be saved"
        # Rasa saves the turn: the tracker it holds is the stored events plus this turn's
        await asyncio.to_thread(rasa_tracker_store, tmp_path / "tracker.db", sender,
                                ["delete my data zz-words", "yes"])
        await asyncio.wait_for(waiting, 30)

    asyncio.run(turn_then_finish())
    assert leftovers(url, [sender]) == []
    with session_scope() as session:
        assert session.get(PrivacyRequest, result.request_id).completed_at is not None


def test_an_unreachable_database_gets_the_honest_reply(database_down: str, domain: Dict[str, Any]) -> None:
    _events, messages = run_action(ActionDeleteMyData(), make_tracker(intent="affirm"), domain)
    assert responses(messages) == ["utter_database_unavailable"]
