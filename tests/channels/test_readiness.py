"""channels.readiness: a Rasa server without a loaded model refuses provider webhooks (503, so
Telegram and Twilio retry) instead of acknowledging messages it cannot answer."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from channels.readiness import assistant_ready


class Agent:
    def __init__(self, ready: bool) -> None:
        self.ready = ready

    def is_ready(self) -> bool:
        return self.ready


def request_with(**ctx: Any) -> Any:
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(**ctx)))


def test_a_rasa_server_whose_model_did_not_load_is_not_ready() -> None:
    assert assistant_ready(request_with(agent=None)) is False
    assert assistant_ready(request_with(agent=Agent(ready=False))) is False


def test_a_loaded_agent_is_ready() -> None:
    assert assistant_ready(request_with(agent=Agent(ready=True))) is True


def test_an_app_that_is_not_a_rasa_server_is_ready() -> None:
    assert assistant_ready(request_with()) is True
