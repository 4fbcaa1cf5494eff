"""channels/turns.py: record before ack, one background turn per message, per-sender order,
crash recovery. Driven on the migrated SQLite database with a scripted assistant."""
from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace
from typing import Any, Callable, List, Tuple

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import turns_store
from channels.turn_replay import message_id_of, replies_already_given
from channels.turns import InboundTurn, TurnRunner
from tests.channels.telegram_fixtures import (CHAT, inbound_count, message_update, start_telegram,  # noqa: F401
                                              statuses, telegram_api)

NOW = dt.datetime(2026, 11, 26, 12, 0, 0)
Events = List[Tuple[str, str, str]]


def turn(sender: str, text: str, external_id: str = "") -> InboundTurn:
    return InboundTurn(channel="telegram", external_id=external_id or f"{sender}-{text}",
                       sender_id=sender, text=text, metadata={"language": "en"})


def runner(clock: Callable[[], dt.datetime] = lambda: NOW) -> TurnRunner:
    return TurnRunner("telegram", lambda _turn: CollectingOutputChannel(), clock=clock,
                      stale_after_seconds=60)


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_turns_of_one_sender_run_in_order_and_other_senders_do_not_wait(webchat_db: str) -> None:
    events: Events = []

    async def scenario() -> TurnRunner:
        gate = asyncio.Event()
        runs = runner()

        async def assistant(message: UserMessage) -> None:
            events.append(("start", message.sender_id, message.text))
            if message.text == "a1":
                await gate.wait()
            await message.output_channel.send_text_message(message.sender_id, f"ok {message.text}")
            events.append(("end", message.sender_id, message.text))

        for sender, text in [("a", "a1"), ("a", "a2"), ("b", "b1")]:
            await runs.accept(turn(sender, text), assistant)
        await until(lambda: ("end", "b", "b1") in events)
        assert ("start", "a", "a2") not in events  # a2 waits behind a1, b1 did not
        gate.set()
        await runs.drain()
        return runs

    runs = asyncio.run(scenario())
    of_a = [event for event in events if event[1] == "a"]
    assert of_a == [("start", "a", "a1"), ("end", "a", "a1"), ("start", "a", "a2"), ("end", "a", "a2")]
    assert runs.idle  # no sender lock left behind
    assert statuses() == ["processed"] * 3


def test_a_message_erased_during_its_own_turn_is_left_erased(
        webchat_db: str, caplog: pytest.LogCaptureFixture) -> None:
    """The citizen asked for their data to be deleted, and the deletion removed this very
    message before its replies were stored: the turn ends cleanly and writes nothing back."""
    from bot.db import session_scope
    from bot.models import InboundMessage
    from sqlalchemy import delete

    sent: List[str] = []

    async def assistant(message: UserMessage) -> None:
        with session_scope() as session:
            session.execute(delete(InboundMessage).where(
                InboundMessage.sender_id == message.sender_id))
        await message.output_channel.send_text_message(message.sender_id, "deleted")
        sent.append(message.text or "")
        if message.text == "fail":
            raise RuntimeError("assistant crashed after the erasure")

    async def scenario() -> TurnRunner:
        runs = runner()
        await runs.accept(turn("erased", "delete my data"), assistant)
        await runs.accept(turn("erased-too", "fail"), assistant)
        await runs.drain()
        return runs

    runs = asyncio.run(scenario())
    assert sorted(sent) == ["delete my data", "fail"] and runs.idle
    assert statuses() == []  # nothing recreated, nothing left
    crashed = [record for record in caplog.records if record.exc_info
               and not isinstance(record.exc_info[1], RuntimeError)]
    assert crashed == []  # only the assistant's own crash, which the runner reports


def test_duplicate_is_acknowledged_and_not_run_again(webchat_db: str) -> None:
    seen: List[str] = []

    async def assistant(message: UserMessage) -> None:
        seen.append(message.text or "")

    async def scenario() -> List[bool]:
        runs = runner()
        first = await runs.accept(turn("a", "hi", "u1"), assistant)
        await runs.drain()
        second = await runs.accept(turn("a", "hi", "u1"), assistant)
        await runs.drain()
        return [first.is_new, second.is_new]

    assert asyncio.run(scenario()) == [True, False]
    assert seen == ["hi"]


def test_replies_are_kept_with_the_message(webchat_db: str) -> None:
    async def assistant(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Thanks")

    async def scenario() -> None:
        runs = runner()
        await runs.accept(turn("a", "hi"), assistant)
        await runs.drain()

    asyncio.run(scenario())
    from bot.db import session_scope
    from bot.inbound import transcript_for

    with session_scope() as session:
        lines = transcript_for(session, "telegram", "a")
    assert [(line["role"], line["text"]) for line in lines] == [("citizen", "hi"), ("assistant", "Thanks")]


def test_recovery_reruns_only_stale_unprocessed_messages(webchat_db: str) -> None:
    turns_store.record(turn("a", "lost in a crash", "old"), NOW - dt.timedelta(minutes=5))
    turns_store.record(turn("b", "still arriving", "new"), NOW - dt.timedelta(seconds=5))
    done = turns_store.record(turn("c", "answered", "done"), NOW - dt.timedelta(minutes=9))
    turns_store.mark_processed(done.inbound_id, [], NOW)
    seen: List[Any] = []

    async def assistant(message: UserMessage) -> None:
        seen.append((message.sender_id, message.text, message.metadata))

    async def scenario() -> int:
        runs = runner()
        count = await runs.recover(assistant)
        await runs.drain()
        return count

    assert asyncio.run(scenario()) == 1
    assert seen == [("a", "lost in a crash", {"language": "en"})]
    assert statuses() == ["processed", "received", "processed"]


def test_a_recovered_turn_rasa_had_already_saved_is_marked_not_run_again(webchat_db: str) -> None:
    """Killed after Rasa saved the turn, before the row was marked: the tracker has the
    message id, so recovery records what was said instead of answering twice."""
    ran = turns_store.record(turn("a", "thanks, bye", "ran"), NOW - dt.timedelta(minutes=5))
    cut = turns_store.record(turn("b", "hello", "cut"), NOW - dt.timedelta(minutes=5))
    saved = {message_id_of(ran.inbound_id): [{"text": "Goodbye!", "buttons": [], "recovered": True}]}
    seen: List[Any] = []

    async def assistant(message: UserMessage) -> None:
        seen.append((message.sender_id, message.message_id))

    async def scenario() -> None:
        runs = runner()
        asked: List[Tuple[str, str]] = []

        async def in_tracker(sender_id: str, message_id: str) -> Any:
            asked.append((sender_id, message_id))
            return saved.get(message_id)

        runs.replies_already_given = in_tracker
        assert await runs.recover(assistant) == 2
        await runs.drain()
        assert sorted(asked) == [("a", message_id_of(ran.inbound_id)),
                                 ("b", message_id_of(cut.inbound_id))]

    asyncio.run(scenario())
    assert seen == [("b", message_id_of(cut.inbound_id))]
    assert statuses() == ["processed", "processed"]
    assert _replies_of("a") == ["Goodbye!"]


def test_the_tracker_tells_which_message_ids_rasa_saved_and_what_followed() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"),
        UserUttered("hello", message_id="inbound-7"),
        ActionExecuted("utter_greet"), BotUttered("Hi!", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
        UserUttered("bye", message_id="inbound-8"),
        BotUttered("Goodbye"), ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    first = asyncio.run(replies_already_given(app, "s", "inbound-7"))
    assert first == [{"text": "Hi!", "buttons": [{"title": "Yes", "payload": "/affirm"}],
                      "recovered": True}]
    assert [r["text"] for r in asyncio.run(replies_already_given(app, "s", "inbound-8"))] == ["Goodbye"]
    assert asyncio.run(replies_already_given(app, "s", "inbound-9")) is None
    assert asyncio.run(replies_already_given(app, "nobody", "inbound-7")) is None


def test_channel_recovers_unprocessed_updates_when_the_server_starts(
        start_telegram: Callable[..., Any], webchat_db: str) -> None:
    old = dt.datetime.utcnow() - dt.timedelta(hours=1)
    turns_store.record(InboundTurn(channel="telegram", external_id="555", sender_id=str(CHAT),
                                   text="my report", metadata={"language": "en"}), old)
    telegram = start_telegram()
    assert telegram.wait_processed(1)
    assert [message.text for message in telegram.assistant.turns] == ["my report"]
    assert telegram.api.sent_texts(str(CHAT)) == ["You said: my report", "Is that right?"]
    assert inbound_count() == 1


def _replies_of(sender: str) -> List[str]:
    from bot.db import session_scope
    from bot.inbound import transcript_for

    with session_scope() as session:
        return [line["text"] for line in transcript_for(session, "telegram", sender)
                if line["role"] == "assistant"]


def test_a_silent_turn_with_the_action_server_down_gets_an_honest_apology(webchat_db: str) -> None:
    async def assistant(message: UserMessage) -> None:
        return None  # what Rasa does when an action call fails: log it, answer nothing

    async def action_server_down() -> bool:
        return True

    async def scenario() -> None:
        runs = runner()
        runs.assistant_down = action_server_down
        await runs.accept(turn("down", "el bache sigue ahí en la calle mayor"), assistant)
        await runs.drain()

    asyncio.run(scenario())
    (reply,) = _replies_of("down")
    assert "problema técnico" in reply  # in the citizen's language
    assert statuses() == ["processed"]


def test_a_silent_turn_with_the_action_server_up_stays_silent(webchat_db: str) -> None:
    """A conversation a caseworker holds is paused: Rasa answers nothing, on purpose."""
    async def assistant(message: UserMessage) -> None:
        return None

    async def action_server_up() -> bool:
        return False

    async def scenario() -> None:
        runs = runner()
        runs.assistant_down = action_server_up
        await runs.accept(turn("paused", "hello?"), assistant)
        await runs.drain()

    asyncio.run(scenario())
    assert _replies_of("paused") == []
