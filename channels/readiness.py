"""Whether the Rasa server behind a channel can answer: a server whose model failed to load
still serves our webhooks, and a message acknowledged there would be marked processed with no
reply, lost. Refusing with 503 instead makes Telegram and Twilio deliver it again later."""
from __future__ import annotations

from sanic import Request

MISSING = object()


def assistant_ready(request: Request) -> bool:
    """False only when this app is a Rasa server without a ready agent. Apps that are not a
    Rasa server (the channels' own test servers) have no `agent` attribute and are ready."""
    agent = getattr(request.app.ctx, "agent", MISSING)
    if agent is MISSING:
        return True
    return agent is not None and agent.is_ready()
