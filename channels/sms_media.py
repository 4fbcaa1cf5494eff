"""MMS photos: the media URLs of a Twilio webhook, fetched size-limited and stored as attachments.

Fetching happens when the turn runs, not before the webhook is acknowledged, so a slow media
server never makes Twilio retry. The fetcher is injectable (tests serve media from the fake
Twilio API); the default one authenticates as the account, as Twilio media URLs may require.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

import httpx

from bot.logs import log_event
from channels import sms_store

log = logging.getLogger(__name__)

MAX_MEDIA_ITEMS = 10  # Twilio's own limit per MMS
Fetch = Callable[[str], Tuple[bytes, str]]  # url -> (data, content type); blocking


class MediaTooLarge(Exception):
    """The media file is bigger than the photo limit; it was not read to the end."""


class HttpMediaFetcher:
    """GET a media URL with the account's credentials, following Twilio's redirect, capped."""

    def __init__(self, account_sid: str, auth_token: str, max_bytes: int,
                 timeout_seconds: float = 15.0) -> None:
        self.auth = (account_sid, auth_token)
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    def __call__(self, url: str) -> Tuple[bytes, str]:
        with httpx.Client(auth=self.auth, follow_redirects=True,
                          timeout=self.timeout_seconds) as client:
            with client.stream("GET", url) as reply:
                reply.raise_for_status()
                declared = int(reply.headers.get("content-length") or 0)
                if declared > self.max_bytes:
                    raise MediaTooLarge(f"{declared} bytes")
                chunks, size = [], 0
                for chunk in reply.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise MediaTooLarge(f"more than {self.max_bytes} bytes")
                    chunks.append(chunk)
                content_type = reply.headers.get("content-type", "").split(";")[0].strip()
                return b"".join(chunks), content_type


def media_items(params: Mapping[str, Sequence[str]]) -> List[Dict[str, str]]:
    """MediaUrl0..N with their declared types; a missing or odd NumMedia means none."""
    try:
        count = int((params.get("NumMedia") or ["0"])[0])
    except ValueError:
        return []
    items = []
    for index in range(max(0, min(count, MAX_MEDIA_ITEMS))):
        url = (params.get(f"MediaUrl{index}") or [""])[0]
        if url.startswith(("https://", "http://")):
            items.append({"url": url,
                          "content_type": (params.get(f"MediaContentType{index}") or [""])[0]})
    return items


async def fetch_and_store(fetch: Fetch, sender: str, media: Sequence[Mapping[str, Any]]
                          ) -> Tuple[List[str], int]:
    """Attachment ids of the photos that could be fetched and were accepted; and how many
    were not (too big, not an image, unreachable): the citizen can still describe the problem."""
    photos: List[Tuple[bytes, str]] = []
    failed = 0
    for item in media:
        try:
            photos.append(await asyncio.to_thread(fetch, str(item.get("url"))))
        except (httpx.HTTPError, MediaTooLarge) as exc:
            failed += 1
            log_event(log, "sms.media.fetch_failed", logging.WARNING, error=type(exc).__name__)
    ids, refused = await asyncio.to_thread(sms_store.store_photos, sender, photos)
    return ids, failed + refused
