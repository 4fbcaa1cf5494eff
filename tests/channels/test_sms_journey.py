"""A citizen reports a pothole by SMS, end to end: signed Twilio webhooks into the Rasa server
as `make run` starts it (credentials.yml enables channels.sms.SmsInput from the TWILIO_* and
SMS_PUBLIC_URL settings), the action server, the case database, and replies through twilio's
own Client to the fake Twilio REST API. Buttons arrive as numbered options and are answered
with their numbers.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import httpx
import pytest
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from tests.fakes.twilio_api import FakeTwilio
from tests.integration.servers import AssistantServers, prepare_assistant

pytestmark = pytest.mark.slow

PUBLIC_URL = "https://sms.riverton.example.gov"
CITY_NUMBER = "+441632960001"
CITIZEN = "+447700900777"
REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
OPTION = re.compile(r"(\d+) for ([^,\n]+)")
ANSWERS: Dict[str, str] = {
    "category": "pothole", "category_suggestion": "Pothole", "location": "outside number 5 Elm Street",
    "description": "A deep pothole about a metre wide in the middle of the road",
    "followup": "skip", "photos": "skip", "consent": "Yes", "confirmed": "Submit",
    "follow_duplicate": "No, mine is different",
}
BUTTON_SLOTS = {"category_suggestion", "follow_duplicate", "consent", "confirmed"}


@pytest.fixture(scope="module")
def sms_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[tuple]:
    """The assistant with the SMS channel on, sending through a fake Twilio."""
    twilio = FakeTwilio().start()
    instance = prepare_assistant(tmp_path_factory.mktemp("sms-assistant"))
    instance.env.update({"TWILIO_ACCOUNT_SID": twilio.account_sid,
                         "TWILIO_AUTH_TOKEN": twilio.auth_token,
                         "TWILIO_FROM_NUMBER": CITY_NUMBER,
                         "TWILIO_API_BASE_URL": twilio.base_url,
                         "SMS_PUBLIC_URL": PUBLIC_URL})
    try:
        yield instance.start(), twilio
    finally:
        instance.stop()
        twilio.stop()


class Citizen:
    """Texts the city the way Twilio delivers it, and reads what came back."""

    def __init__(self, servers: AssistantServers, twilio: FakeTwilio) -> None:
        self.servers, self.twilio, self.count = servers, twilio, 0

    def text(self, body: str, timeout: float = 60.0) -> List[str]:
        """Send one signed webhook; the replies delivered to the phone for it."""
        self.count += 1
        before = len(self.twilio.bodies_to(CITIZEN))
        params = {"MessageSid": f"SM{self.count:032d}", "AccountSid": self.twilio.account_sid,
                  "From": CITIZEN, "To": CITY_NUMBER, "Body": body, "NumMedia": "0"}
        path = "/webhooks/sms/webhook"
        signature = RequestValidator(self.twilio.auth_token).compute_signature(PUBLIC_URL + path, params)
        answer = httpx.post(self.servers.rasa_url + path, data=params, timeout=30,
                            headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200 and "<Response/>" in answer.text, answer.text
        self._wait_processed(params["MessageSid"], timeout)
        return self.twilio.bodies_to(CITIZEN)[before:]

    def _wait_processed(self, sid: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        engine = create_engine(self.servers.database_url, future=True)
        try:
            while True:
                with engine.connect() as connection:
                    status = connection.execute(text(
                        "SELECT status FROM inbound_messages WHERE channel = 'sms' "
                        "AND external_id = :sid"), {"sid": sid}).scalar()
                if status in ("processed", "failed"):
                    assert status == "processed", self.servers.log_tail()
                    return
                assert time.monotonic() < deadline, self.servers.log_tail()
                time.sleep(0.2)
        finally:
            engine.dispose()


def option_number(replies: List[str], title: str) -> Optional[str]:
    """The number the last offer gave to an option whose title starts with `title`."""
    for reply in reversed(replies):
        if "Reply " in reply:
            offered = {name.strip().lower(): number
                       for number, name in OPTION.findall(reply.split("Reply ", 1)[1])}
            return next((number for name, number in offered.items()
                         if name.startswith(title.lower())), None)
    return None


def test_pothole_report_by_sms_ends_in_a_case_and_its_reference_by_sms(sms_assistant: tuple) -> None:
    servers, twilio = sms_assistant
    citizen = Citizen(servers, twilio)
    replies = citizen.text("there's a huge pothole on Elm street outside number 5")
    asked: List[str] = []
    for _ in range(15):
        requested = servers.tracker(CITIZEN)["slots"].get("requested_slot")
        if requested is None:
            break
        assert requested in ANSWERS, (requested, replies)
        asked.append(requested)
        answer = ANSWERS[requested]
        if requested in BUTTON_SLOTS:
            number = option_number(replies, answer)
            assert number is not None, f"no numbered option {answer!r} in {replies}"
            answer = number
        replies = citizen.text(answer)
    delivered = "\n".join(twilio.bodies_to(CITIZEN))
    references = REFERENCE.findall(delivered)
    assert references, f"no reference delivered (asked {asked}):\n{delivered}"
    assert "confirmed" in asked and "consent" in asked
    engine = create_engine(servers.database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT reference, service_code, channel, sender_id FROM cases "
                "WHERE sender_id = :sender"), {"sender": CITIZEN}).all()
    finally:
        engine.dispose()
    assert [(row.reference, row.service_code, row.channel) for row in rows] == \
        [(references[-1], "pothole", "sms")]
    assert all(len(body) <= 459 for body in twilio.bodies_to(CITIZEN))  # at most 3 segments
