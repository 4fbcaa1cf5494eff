"""console.rasa_client: the exact requests Rasa's HTTP API receives, and failures made clear.
httpx.MockTransport answers in place of Rasa, so these run without any server."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import httpx
import pytest

from console.rasa_client import RasaClient, RasaUnavailable


def client_with(answer: Optional[httpx.Response] = None, error: Optional[Exception] = None,
                token: Optional[str] = None) -> tuple:
    seen: List[Dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append({"method": request.method, "path": request.url.raw_path.decode(),
                     "body": json.loads(request.content)})
        if error is not None:
            raise error
        return answer or httpx.Response(200, json={"events": []})

    return RasaClient("http://rasa.test:5005/", token, transport=httpx.MockTransport(handle)), seen


@pytest.mark.parametrize("call, event", [
    (lambda client: client.pause("+447700900123"), {"event": "pause"}),
    (lambda client: client.resume("+447700900123"), {"event": "resume"}),
    (lambda client: client.set_slot("+447700900123", "pending_fix_case", "C-2026-000001"),
     {"event": "slot", "name": "pending_fix_case", "value": "C-2026-000001"}),
])
def test_each_call_appends_one_event_to_the_conversation(call: Any, event: Dict[str, Any]) -> None:
    client, seen = client_with()
    asyncio.run(call(client))
    assert seen == [{"method": "POST", "path": "/conversations/%2B447700900123/tracker/events",
                     "body": event}]


def test_the_token_goes_in_the_query_when_configured() -> None:
    client, seen = client_with(token="s3cret")
    asyncio.run(client.pause("web/1"))
    assert seen[0]["path"] == "/conversations/web%2F1/tracker/events?token=s3cret"


@pytest.mark.parametrize("answer, error, detail", [
    (httpx.Response(401, json={"message": "unauthorised"}), None, "Rasa answered HTTP 401"),
    (httpx.Response(500, json={"message": "boom"}), None, "Rasa answered HTTP 500"),
    (None, httpx.ConnectError("refused"), "ConnectError reaching http://rasa.test:5005"),
    (None, httpx.ReadTimeout("slow"), "ReadTimeout reaching http://rasa.test:5005"),
])
def test_failures_raise_rasa_unavailable_saying_what_failed(
        answer: Optional[httpx.Response], error: Optional[Exception], detail: str) -> None:
    client, _ = client_with(answer, error)
    with pytest.raises(RasaUnavailable) as raised:
        asyncio.run(client.resume("abc"))
    assert str(raised.value) == f"the assistant could not resume the conversation: {detail}"
