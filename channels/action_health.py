"""When a turn ends with no reply, was the action server down? Rasa catches a failed action
call, logs it and listens again, so the citizen would hear nothing at all; the channels ask
the action server's /health and, if it is down, apologise honestly (content/channels.yml
`technical_problem:`). Only 0-reply turns are checked, so a conversation a caseworker holds
(paused, silent on purpose) stays silent while the action server is up."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp
import yaml

from bot.language import detect_language
from bot.settings import get_settings

HEALTH_TIMEOUT_SECONDS = 2.0


async def action_server_down(app: Any) -> bool:
    """True when this Rasa server has an action endpoint and it does not answer /health."""
    agent = getattr(app.ctx, "agent", None)
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or not getattr(endpoint, "url", None):
        return False
    base = endpoint.url.rsplit("/webhook", 1)[0]
    try:
        timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(f"{base}/health") as answer:
                return answer.status != 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return True


def apology_text(text: Optional[str], hint: Optional[str]) -> str:
    """The apology in the language of the citizen's message (the channel's hint helps)."""
    texts = _texts()
    language = detect_language(text, hint=hint)
    return texts.get(language) or texts[get_settings().default_language]


def _texts() -> Dict[str, str]:
    raw = yaml.safe_load(Path(get_settings().channels_file).read_text(encoding="utf-8")) or {}
    return dict(raw.get("technical_problem") or {})
