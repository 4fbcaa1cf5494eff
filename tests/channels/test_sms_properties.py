"""Property: thousands of correctly signed, generated Twilio payloads never get a 5xx, and
every message the channel accepted is processed (no turn left failed or hanging)."""
from __future__ import annotations

import string
from typing import Dict

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import InboundMessage
# sms, start_sms, twilio are fixtures: imported so pytest finds them here.
from tests.channels.sms_harness import SmsServer, sms, start_sms, twilio  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
KNOWN_KEYS = ["MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0",
              "MediaUrl1", "AccountSid", "SmsStatus", "ErrorCode", "MessageStatus"]


def payloads(media_url: str) -> st.SearchStrategy[Dict[str, str]]:
    """Twilio-like fields with odd values, plus arbitrary extra fields."""
    values = st.one_of(
        TEXT, st.sampled_from(["", "0", "1", "2", "-1", "10", "99999999999999999999", "STOP",
                               "help", "1", "+34600111222", "+447700900123", media_url,
                               "ftp://example.org/x", "http://", "SM" + "0" * 32]),
        st.text(string.digits + "+", min_size=1, max_size=16))
    known = st.dictionaries(st.sampled_from(KNOWN_KEYS), values, max_size=len(KNOWN_KEYS))
    extra = st.dictionaries(TEXT, TEXT, max_size=4)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


def test_signed_generated_payloads_never_get_a_5xx(sms: SmsServer) -> None:
    media_url = sms.twilio.add_media("MEgen", PNG, "image/png")
    client = httpx.Client(base_url=sms.base_url, timeout=15)
    statuses: Dict[int, int] = {}

    @settings(max_examples=2000, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(payload=payloads(media_url), path=st.sampled_from(["/webhook", "/webhook", "/status"]))
    def check(payload: Dict[str, str], path: str) -> None:
        status = sms.post(payload, path=path, client=client).status_code
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, payload
        assert status in (200, 204, 400), (status, payload)

    try:
        check()
    finally:
        client.close()
    sms.wait_idle()
    assert statuses.get(200, 0) > 100  # the generator does reach the assistant
    assert sms.count(InboundMessage, status="failed") == 0
    assert sms.count(InboundMessage, status="received") == 0
