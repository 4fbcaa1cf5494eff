"""The soak's load: concurrent citizens over the Telegram and SMS webhooks, and outbox
notifications queued for the dispatcher, while processes are being killed.

Telegram citizens report a pothole through the whole form (one chat per journey, so each
journey should end in exactly one case); SMS citizens ask questions (each message one turn);
notifications are queued in the outbox as a status change would queue them (each must reach the
fake provider exactly once). A citizen whose turn was lost to a crash does what a person does:
waits, then answers the question the bot is asking now (read from Rasa's tracker).
"""
from __future__ import annotations

import random
import threading
import time
import urllib.error
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from bench.soak_citizens import Webhooks
from tests.faults.journey import BUTTONS, TEXTS, cases_of, inbound_status, poll

QUESTIONS = ["hello", "what are the opening hours of the recycling centre?",
             "when is my bin collected?", "how do I pay a parking fine?", "thanks, bye"]


@dataclass
class LoadTally:
    """What the load expects: journeys that pressed Submit, notifications queued."""

    journeys_submitted: List[str] = field(default_factory=list)  # chat ids
    journeys_abandoned: List[str] = field(default_factory=list)
    notifications: List[str] = field(default_factory=list)  # bodies, each unique
    sms_numbers: List[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Load:
    """Runs citizens until `stop` is set."""

    hooks: Webhooks
    database_url: str
    tracker: Callable[[str], Dict]
    tally: LoadTally = field(default_factory=LoadTally)
    stop: threading.Event = field(default_factory=threading.Event)
    turn_timeout: float = 180.0

    def run(self, citizens: int, seed: int) -> List[threading.Thread]:
        threads = [threading.Thread(target=self._citizen, args=(index, seed), daemon=True)
                   for index in range(citizens)]
        threads.append(threading.Thread(target=self._notifier, daemon=True))
        for thread in threads:
            thread.start()
        return threads

    def _citizen(self, index: int, seed: int) -> None:
        rng = random.Random(seed * 1000 + index)
        journey = 0
        while not self.stop.is_set():
            journey += 1
            if index % 2 == 0:
                self._report(700000000 + seed * 10000 + index * 100 + journey)
            else:
                self._questions(f"+4477009{seed % 100:02d}{index:02d}{journey:03d}", rng)

    def _wait(self, key: str) -> bool:
        return poll(lambda: inbound_status(self.database_url, key) in ("processed", "failed"),
                    self.turn_timeout, 0.3)

    def _slots(self, chat: int) -> Optional[Dict]:
        deadline = time.monotonic() + self.turn_timeout
        while time.monotonic() < deadline:
            try:
                return self.tracker(str(chat))["slots"]
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(1.0)  # Rasa is being restarted
        return None

    def _report(self, chat: int) -> None:
        """One pothole report; Submit is pressed until the case exists (as a person would)."""
        self._wait(self.hooks.telegram_text(chat, "there's a huge pothole on Elm street"))
        pressed = False
        for _ in range(20):
            slots = self._slots(chat)
            if slots is None:
                break
            requested = slots.get("requested_slot")
            if requested is None:
                if pressed or slots.get("last_case_reference"):
                    break
                key = self.hooks.telegram_text(chat, "I want to report a pothole")
            elif requested == "location":
                key = self.hooks.telegram_location(chat, 51.5072, -0.1275)
            elif requested in BUTTONS:
                pressed = pressed or requested == "confirmed"
                key = self.hooks.telegram_button(chat, BUTTONS[requested])
            else:
                key = self.hooks.telegram_text(chat, TEXTS.get(requested, "skip"))
            self._wait(key)
            if pressed and cases_of(self.database_url, str(chat)):
                break
        with self.tally.lock:
            (self.tally.journeys_submitted if pressed else self.tally.journeys_abandoned
             ).append(str(chat))

    def _questions(self, number: str, rng: random.Random) -> None:
        with self.tally.lock:
            self.tally.sms_numbers.append(number)
        for question in rng.sample(QUESTIONS, 3):
            if self.stop.is_set():
                return
            self._wait(self.hooks.sms(number, question))

    def _notifier(self) -> None:
        """Outbox rows as a status change queues them, to both providers, one per second."""
        from bot.db import session_scope
        from bot.outbox import enqueue

        count = 0
        while not self.stop.wait(1.0):
            count += 1
            channel = "sms" if count % 2 else "telegram"
            recipient = "+447700900999" if channel == "sms" else "700999999"
            body = f"Soak notification {count}: your report is in progress."
            with session_scope(self.database_url) as session:
                enqueue(session, channel=channel, recipient=recipient, language="en",
                        kind="status_update", body=body, dedupe_key=f"soak-{count}")
            with self.tally.lock:
                self.tally.notifications.append(body)
