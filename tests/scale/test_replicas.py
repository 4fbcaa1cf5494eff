"""Exactly-once and in-order with 2 Rasa replicas behind nginx (tests/scale/topology.py).

Replays of one Telegram update / one Twilio MessageSid sent to BOTH replicas and through nginx
at the same moment are processed once; 10 messages of one citizen within one second, spread
over the replicas, reach the conversation in the order they were received. The truth is read from
the shared stores: inbound rows in the case database, user events in the SQL tracker store.
"""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bench.load import load_civic, parse_args as load_args
from bench.load_scaled import target_of
from bot.db import session_scope
from bot.models import InboundMessage
from channels.telegram import SECRET_HEADER
from tests.channels.sms_harness import sign
from tests.scale.topology import (CITY_NUMBER, SMS_PUBLIC_URL, TELEGRAM_SECRET, Topology,
                                  start_topology)

pytestmark = pytest.mark.slow
TELEGRAM_PATH = "/webhooks/telegram/webhook"
SMS_PATH = "/webhooks/sms/webhook"
SPREAD_SECONDS = 1.0
_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)  # < 10^9; bench's are above
_chats = itertools.count(int(time.time()) % 1_000_000 * 100 + 5_000_000)


@pytest.fixture(scope="module")
def topology(postgres_url: str, redis_url: str, trained_model: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    running = start_topology(tmp_path_factory.mktemp("scale"), postgres_url, redis_url, trained_model)
    try:
        yield running
    finally:
        running.stop()


def telegram_update(chat: int, text: str) -> Dict[str, Any]:
    update_id = next(_update_ids)
    return {"update_id": update_id, "message": {
        "message_id": update_id % 100000, "date": int(time.time()), "text": text,
        "from": {"id": chat, "is_bot": False, "first_name": "Ada", "language_code": "en"},
        "chat": {"id": chat, "type": "private"}}}


def post_telegram(base_url: str, update: Dict[str, Any]) -> int:
    response = httpx.post(base_url + TELEGRAM_PATH, json=update, timeout=30,
                          headers={SECRET_HEADER: TELEGRAM_SECRET})
    return response.status_code


def post_sms(base_url: str, params: Dict[str, str]) -> int:
    signature = sign("fake-auth-token", SMS_PUBLIC_URL + SMS_PATH, params)
    response = httpx.post(base_url + SMS_PATH, data=params, timeout=30,
                          headers={"X-Twilio-Signature": signature})
    return response.status_code


def everywhere(topology: Topology) -> List[str]:
    """Both replicas directly, and nginx (which picks one of them)."""
    return [*topology.rasa_urls, topology.nginx_url]


def at_once(calls: Sequence[Callable[[], int]]) -> List[int]:
    """Run the calls concurrently, as a provider retrying while the first is in flight would."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def paced(call: Callable[[int], int], count: int, interval: float) -> List[int]:
    """call(0..count-1), each started `interval` after the previous one whether or not it has
    been answered (a citizen typing fast; the provider forwarding each message as it comes)."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = []
        for index in range(count):
            time.sleep(max(0.0, started + index * interval - time.monotonic()))
            futures.append(pool.submit(call, index))
        assert time.monotonic() - started < SPREAD_SECONDS, "could not send within a second"
        return [future.result() for future in futures]


def inbound_rows(database_url: str, channel: str, external_ids: Sequence[str]) -> List[InboundMessage]:
    with session_scope(database_url) as session:
        return list(session.execute(select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id.in_(list(external_ids)))
            .order_by(InboundMessage.id)).scalars())


def wait_processed(topology: Topology, channel: str, external_ids: Sequence[str],
                   timeout: float = 60.0) -> List[InboundMessage]:
    """Poll the case database until every message's turn has finished (processed or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = inbound_rows(topology.database_url, channel, external_ids)
        if len(rows) >= len(external_ids) and all(row.status != "received" for row in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"not processed in {timeout:.0f}s: "
                                 f"{[(row.external_id, row.status) for row in rows]}\n"
                                 f"{topology.log_tail()}")
        time.sleep(0.2)


def user_texts(topology: Topology, sender_id: str) -> List[str]:
    """What the citizen said, in the order the (shared) tracker store recorded it."""
    tracker = httpx.get(f"{topology.rasa_urls[0]}/conversations/{sender_id}/tracker",
                        timeout=30).json()
    return [event.get("text") for event in tracker["events"] if event["event"] == "user"]


def replica_messages_in(url: str, channel: Optional[str] = None) -> float:
    """civic_messages_in_total of one replica, for `channel` or all channels."""
    body = httpx.get(f"{url}/webhooks/metrics/metrics", timeout=30).text
    return sum(sample.value for family in text_string_to_metric_families(body)
               for sample in family.samples
               if sample.name == "civic_messages_in_total"
               and channel in (None, sample.labels.get("channel")))


def messages_in(topology: Topology, channel: str) -> float:
    """civic_messages_in_total for `channel`, summed over the replicas (as Prometheus would)."""
    return sum(replica_messages_in(url, channel) for url in topology.rasa_urls)


def test_every_process_is_ready_and_metrics_stay_internal(topology: Topology) -> None:
    for url in topology.rasa_urls:
        ready = httpx.get(f"{url}/webhooks/metrics/ready").json()
        assert ready == {"status": "ready", "model_loaded": True, "database": True}
        assert "civic_database_up 1.0" in httpx.get(f"{url}/webhooks/metrics/metrics").text
    assert httpx.get(f"{topology.action_url}/ready").status_code == 200
    assert "civic_outbox_lag_seconds" in httpx.get(f"{topology.action_url}/metrics").text
    assert httpx.get(f"{topology.nginx_url}/webhooks/metrics/metrics").status_code == 404
    assert httpx.get(f"{topology.nginx_url}/conversations/x/tracker").status_code == 404
    # the REST channel takes any sender id: never from outside
    assert httpx.post(f"{topology.nginx_url}/webhooks/rest/webhook",
                      json={"sender": "+447700900123", "message": "hi"}).status_code == 404


def test_a_telegram_update_replayed_to_both_replicas_and_nginx_is_processed_once(
        topology: Topology) -> None:
    chat = next(_chats)
    update = telegram_update(chat, "hello")
    before = messages_in(topology, "telegram")
    statuses = at_once([lambda url=url: post_telegram(url, update) for url in everywhere(topology)])
    statuses += at_once([lambda url=url: post_telegram(url, update) for url in everywhere(topology)])
    assert statuses == [200] * 6
    rows = wait_processed(topology, "telegram", [str(update["update_id"])])
    assert [row.status for row in rows] == ["processed"]
    assert user_texts(topology, str(chat)) == ["hello"]
    assert messages_in(topology, "telegram") - before == 1
    assert topology.telegram.sent_texts(str(chat)), "the citizen got no reply"


def test_a_twilio_message_replayed_to_both_replicas_and_nginx_is_processed_once(
        topology: Topology) -> None:
    sender = f"+4477009{uuid.uuid4().int % 100000:05d}"
    sid = "SM" + uuid.uuid4().hex
    params = {"MessageSid": sid, "AccountSid": topology.twilio.account_sid, "From": sender,
              "To": CITY_NUMBER, "Body": "hello", "NumMedia": "0", "NumSegments": "1",
              "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    statuses = at_once([lambda url=url: post_sms(url, params) for url in everywhere(topology)] * 2)
    assert statuses == [200] * 6
    rows = wait_processed(topology, "sms", [sid])
    assert [row.status for row in rows] == ["processed"]
    assert user_texts(topology, sender) == ["hello"]


def test_ten_messages_of_one_citizen_within_a_second_over_both_replicas_keep_their_order(
        topology: Topology) -> None:
    chat = next(_chats)
    texts = ["hello", "I want to report a pothole", "it is on the high street", "near the bank",
             "it is very deep", "a car hit it", "this morning", "please fix it", "thank you",
             "goodbye"]
    updates = [telegram_update(chat, text) for text in texts]
    targets = [url for url, _ in zip(itertools.cycle(everywhere(topology)), updates)]
    assert paced(lambda index: post_telegram(targets[index], updates[index]), len(updates),
                 interval=SPREAD_SECONDS / len(updates)) == [200] * len(updates)
    rows = wait_processed(topology, "telegram", [str(update["update_id"]) for update in updates],
                          timeout=120)
    assert [row.status for row in rows] == ["processed"] * 10
    # The order the assistant received them in (inbound ids, from whichever replica): requests
    # 100 ms apart may still arrive swapped when a replica's event loop is busy with a turn.
    by_id = {row.external_id: row.id for row in rows}
    received = [text for _, text in sorted(
        (by_id[str(update["update_id"])], text) for update, text in zip(updates, texts))]
    said = user_texts(topology, str(chat))
    assert said == received, f"conversation order {said}\nreceived order {received}"


def test_replies_to_one_chat_from_both_replicas_keep_telegram_s_one_a_second(
        topology: Topology) -> None:
    """Each replica reserves from the per-chat budget in Redis (RATE_LIMIT_REDIS_URL), so the
    two together still send one chat at most about one message a second. With a budget per
    process, a replica's first reply could follow the other's last at once."""
    chat = next(_chats)
    updates = [telegram_update(chat, text) for text in ("hello", "what can you do", "thanks",
                                                        "goodbye")]
    for index, update in enumerate(updates):
        assert post_telegram(topology.rasa_urls[index % 2], update) == 200
    rows = wait_processed(topology, "telegram", [str(update["update_id"]) for update in updates],
                          timeout=120)
    assert [row.status for row in rows] == ["processed"] * len(updates)
    sends = sorted(call.at for call in topology.telegram.calls_of("sendMessage")
                   if str(call.params.get("chat_id")) == str(chat))
    assert len(sends) >= len(updates)
    gaps = [later - earlier for earlier, later in zip(sends, sends[1:])]
    assert min(gaps) >= 0.8, f"replies to one chat {gaps} s apart"


def test_the_load_benchmark_through_nginx_loses_nothing_and_reaches_both_replicas(
        topology: Topology) -> None:
    """`make bench`'s citizens (a pothole report, its status, an FAQ question; over signed SMS,
    Telegram and web chat) sending every message to nginx: every turn answered, none failed,
    and nginx spread them over both replicas. Throughput is for `make bench-scale`, not here."""
    before = [replica_messages_in(url) for url in topology.rasa_urls]
    figures = asyncio.run(load_civic(target_of(topology),
                                     load_args(["--citizens", "6", "--turn-timeout", "90"])))
    assert (figures["errors"], figures["lost"]) == (0, 0), figures["failures"]
    assert figures["journeys_done"] == 6 and figures["journeys_failed"] == 0, figures
    after = [replica_messages_in(url) for url in topology.rasa_urls]
    assert all(now > then for now, then in zip(after, before)), (before, after)
