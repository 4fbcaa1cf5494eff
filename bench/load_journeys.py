"""What a simulated citizen does, and the figures a load run adds up to.

A civic citizen reports a pothole (the whole report form, answering whatever the bot asks,
read from the English prompts), checks the status of the reference it got, and asks an FAQ
question. A stock-assistant citizen has a moodbot conversation of about the same number of
turns. Every turn is timed; a turn with an error or no reply is counted, never retried.
"""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Protocol

from bench.load_clients import Answer, JourneyError, Reply, TurnResult

REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
MAX_FORM_TURNS = 15
# (start of the English prompt, the answer): the report form's questions, in any order.
FORM_ANSWERS = [
    ("What kind of problem", Answer(button="Pothole")),
    ("This sounds like", Answer(button="Pothole")),
    ("Where is it?", None),  # the citizen's own address, see location_answer
    ("Someone may have reported this already", Answer(button="No, mine is different")),
    ("Please describe the problem", Answer("A deep pothole about a metre wide in the middle of the road")),
    ("(Reply SKIP if you're not sure.)", Answer("skip")),
    ("send a photo", Answer("skip")),
    ("Can we keep your contact details", Answer(button="Yes")),
    ("Here's your report", Answer(button="Submit")),
]
FAQ_QUESTION = "When is my bin day?"
MOODBOT_TURNS = ["hello", "I am feeling sad", "yes", "great, thanks", "bye", "hi there",
                 "very good", "are you a bot?", "perfect", "goodbye", "hey", "I am sad"]


class Client(Protocol):
    async def say(self, answer: Answer, timeout: float) -> TurnResult: ...


@dataclass
class Tally:
    """Every turn of one run, by channel."""

    latencies: Dict[str, List[float]] = field(default_factory=dict)
    errors: Dict[str, int] = field(default_factory=dict)
    lost: Dict[str, int] = field(default_factory=dict)
    sent: Dict[str, int] = field(default_factory=dict)
    journeys_done: int = 0
    journeys_failed: int = 0
    failures: List[str] = field(default_factory=list)

    def add(self, channel: str, result: TurnResult) -> None:
        self.sent[channel] = self.sent.get(channel, 0) + 1
        if result.error:
            self.errors[channel] = self.errors.get(channel, 0) + 1
        if not result.replies:
            self.lost[channel] = self.lost.get(channel, 0) + 1
        elif result.latency is not None and not result.error:
            self.latencies.setdefault(channel, []).append(result.latency)


async def timed_say(client: Client, channel: str, answer: Answer, tally: Tally,
                    timeout: float) -> List[Reply]:
    """One turn, counted; a timeout or transport error is an error and a lost message."""
    try:
        result = await client.say(answer, timeout)
    except (asyncio.TimeoutError, OSError) as exc:
        result = TurnResult(None, error=type(exc).__name__)
    except Exception as exc:  # httpx errors and the like: counted, the journey stops
        result = TurnResult(None, error=f"{type(exc).__name__}: {exc}")
    tally.add(channel, result)
    if result.error or not result.replies:
        raise JourneyError(f"{channel}: {answer} -> {result.error or 'no reply'}")
    return result.replies


def next_answer(replies: List[Reply], address: str) -> Optional[Answer]:
    """The answer to the bot's last question; None when the report is finished."""
    joined = "\n".join(reply.text for reply in replies)
    if REFERENCE.search(joined):
        return None
    for reply in reversed(replies):
        for prompt, answer in FORM_ANSWERS:
            if prompt.lower() in reply.text.lower():
                return answer or Answer(address)
    raise JourneyError(f"unexpected reply: {joined[:200]!r}")


async def civic_journey(client: Client, channel: str, index: int, tally: Tally,
                        timeout: float) -> None:
    """Report a pothole at the citizen's own address, check its status, ask an FAQ."""
    address = f"outside number {index + 1} Elm Street"
    replies = await timed_say(client, channel, Answer(f"there's a huge pothole on Elm street {address}"),
                              tally, timeout)
    for _ in range(MAX_FORM_TURNS):
        answer = next_answer(replies, address)
        if answer is None:
            break
        replies = await timed_say(client, channel, answer, tally, timeout)
    found = REFERENCE.findall("\n".join(reply.text for reply in replies))
    if not found:
        raise JourneyError(f"{channel}: no reference after the form")
    await timed_say(client, channel, Answer(found[-1]), tally, timeout)
    await timed_say(client, channel, Answer(FAQ_QUESTION), tally, timeout)


async def moodbot_journey(client: Client, channel: str, index: int, tally: Tally,
                          timeout: float) -> None:
    """The stock assistant's conversation, as many turns as a civic journey has."""
    for line in MOODBOT_TURNS:
        await timed_say(client, channel, Answer(line), tally, timeout)


async def run_citizen(journey: Any, client: Client, channel: str, index: int, tally: Tally,
                      journeys: int, timeout: float, deadline: float) -> None:
    """`journeys` journeys one after the other (stopping at the deadline); failures counted."""
    for _ in range(journeys):
        if time.monotonic() > deadline:
            return
        try:
            await journey(client, channel, index, tally, timeout)
            tally.journeys_done += 1
        except JourneyError as exc:
            tally.journeys_failed += 1
            tally.failures.append(str(exc)[:300])
            return


def percentile(values: List[float], fraction: float) -> Optional[float]:
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def summarise(tally: Tally, elapsed: float) -> Dict[str, Any]:
    """The figures of one run: overall and per channel."""
    every = [value for values in tally.latencies.values() for value in values]
    answered = len(every)
    summary: Dict[str, Any] = {
        "seconds": round(elapsed, 2), "messages_sent": sum(tally.sent.values()),
        "messages_answered": answered, "messages_per_second": round(answered / elapsed, 2) if elapsed else 0,
        "p50_ms": _ms(percentile(every, 0.50)), "p95_ms": _ms(percentile(every, 0.95)),
        "p99_ms": _ms(percentile(every, 0.99)), "errors": sum(tally.errors.values()),
        "lost": sum(tally.lost.values()), "journeys_done": tally.journeys_done,
        "journeys_failed": tally.journeys_failed, "failures": tally.failures[:10],
        "by_channel": {}}
    for channel in sorted(tally.sent):
        values = tally.latencies.get(channel, [])
        summary["by_channel"][channel] = {
            "sent": tally.sent[channel], "answered": len(values),
            "p50_ms": _ms(percentile(values, 0.50)), "p95_ms": _ms(percentile(values, 0.95)),
            "errors": tally.errors.get(channel, 0), "lost": tally.lost.get(channel, 0)}
    return summary


def _ms(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else round(seconds * 1000, 1)
