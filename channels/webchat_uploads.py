"""Photo uploads from the page: cheap checks before the core's own (size, declared type).

Refusing an oversize or non-image file here means nothing reaches the database or the disk;
the core (bot.attachments) still checks the magic bytes, so a renamed file is refused too.
"""
from __future__ import annotations

from typing import Optional, Tuple

from sanic.request import Request

from bot.errors import AttachmentRejected, InvalidInput
from channels.webchat_messages import parse_session_id

FILE_FIELD = "photo"
TOO_LARGE = "too_large"
NOT_IMAGE = "not_image"
# Words the core may use in AttachmentRejected.reason for a file that is too big.
_SIZE_WORDS = ("large", "big", "size", "limit", "bytes")

Upload = Tuple[str, bytes, str, Optional[str]]  # session_id, data, content_type, filename


def read_upload(request: Request, max_bytes: int) -> Upload:
    """The one image of a multipart upload, with the session it belongs to."""
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise InvalidInput("Send the photo as multipart/form-data with a 'photo' file field.")
    session_id = parse_session_id(request.form.get("session_id"))
    files = request.files.getlist(FILE_FIELD) if request.files else None
    if not files:
        raise InvalidInput("No photo was attached; use the 'photo' file field.")
    if len(files) > 1:
        raise InvalidInput("Send one photo at a time.")
    photo = files[0]
    if not photo.body:
        raise InvalidInput("The photo is empty.")
    if len(photo.body) > max_bytes:
        raise AttachmentRejected(TOO_LARGE, limit_bytes=max_bytes)
    content_type = (photo.type or "").split(";")[0].strip().lower()
    if not content_type.startswith("image/"):
        raise AttachmentRejected(NOT_IMAGE)
    return session_id, photo.body, content_type, photo.name or None


def is_too_large(exc: AttachmentRejected) -> bool:
    """Tell size refusals from type refusals, whichever layer raised them."""
    reason = (exc.reason or "").lower()
    return reason == TOO_LARGE or bool(exc.limit_bytes) or any(w in reason for w in _SIZE_WORDS)


def rejection_status(exc: AttachmentRejected) -> int:
    """413 for a file that is too big, 415 for anything that is not an accepted image."""
    return 413 if is_too_large(exc) else 415


def rejection_message(exc: AttachmentRejected) -> str:
    """A sentence the page can show as it is."""
    if is_too_large(exc):
        if exc.limit_bytes:
            return (f"The photo is too large; the limit is {exc.limit_bytes / (1024 * 1024):g} MB. "
                    "Please choose a smaller photo.")
        return "The photo is too large. Please choose a smaller photo."
    return "That file is not a photo we can accept. Please send a JPEG, PNG, GIF or WebP image."
