"""A citizen's Telegram photo, fetched from the Bot API and stored as a case attachment.

The size Telegram reports is checked before anything is downloaded, and the download itself
is capped, so a large file is never held in memory; the core checks size and magic bytes
again (bot.attachments.store_attachment -> AttachmentRejected).
"""
from __future__ import annotations

import asyncio
from typing import Optional

from telegram import Bot

from bot import attachments
from bot.db import session_scope
from bot.errors import AttachmentRejected

CHANNEL = "telegram"
TOO_BIG_MESSAGE = ("Sorry, that photo is too large (the limit is {limit} MB). "
                   "Please send a smaller photo, or carry on without one.")
REJECTED_MESSAGE = "Sorry, I could not use that file as a photo. Please send a JPEG or PNG photo."


def _megabytes(limit_bytes: int) -> str:
    return f"{limit_bytes / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def rejection_reply(error: AttachmentRejected, max_bytes: int) -> str:
    """What the citizen reads when a photo was not kept."""
    if error.limit_bytes or error.reason == "too_large":
        return TOO_BIG_MESSAGE.format(limit=_megabytes(error.limit_bytes or max_bytes))
    return REJECTED_MESSAGE


async def fetch_photo(bot: Bot, file_id: str, reported_size: Optional[int], max_bytes: int) -> bytes:
    """The photo's bytes; AttachmentRejected("too_large") without downloading if it is too big."""
    if reported_size is not None and reported_size > max_bytes:
        raise AttachmentRejected("too_large", max_bytes)
    file = await bot.get_file(file_id)
    if file.file_size is not None and file.file_size > max_bytes:
        raise AttachmentRejected("too_large", max_bytes)
    data = bytes(await file.download_as_bytearray())
    if len(data) > max_bytes:
        raise AttachmentRejected("too_large", max_bytes)
    return data


def _store(sender_id: str, data: bytes, filename: str) -> str:
    with session_scope() as session:
        attachment = attachments.store_attachment(
            session, sender_id=sender_id, channel=CHANNEL, data=data,
            content_type="image/jpeg", filename=filename)
        return str(attachment.id)


async def store_photo(sender_id: str, data: bytes, file_id: str) -> str:
    """Store the photo (worker thread); the attachment id for the message metadata."""
    return await asyncio.to_thread(_store, sender_id, data, f"telegram-{file_id[-16:]}.jpg")
