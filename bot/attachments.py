"""Citizens' photos: checked, stored once by content hash, linked to a case on submission.

The check is on the bytes, not the declared content type or file name, because those come
from the client. A rejected upload leaves nothing behind: no file, no row.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.errors import AttachmentRejected
from bot.models import Attachment
from bot.settings import get_settings

if TYPE_CHECKING:  # pragma: no cover
    from bot.models import Case

# The text a channel gives a photo sent without a caption, so the message is not empty; it
# says nothing about the problem, so it is never kept as the citizen's words.
PHOTO_PLACEHOLDER_TEXT = "Photo attached"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
              "image/gif": ".gif", "image/heic": ".heic"}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
               b"mif1", b"msf1"}


def sniff_image_type(data: bytes) -> Optional[str]:
    """The image type the bytes really are (JPEG, PNG, WebP, GIF, HEIC), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


def store_attachment(session: Session, *, sender_id: str, channel: str, data: bytes,
                     content_type: Optional[str] = None, filename: Optional[str] = None,
                     now: Optional[dt.datetime] = None) -> Attachment:
    """Check and keep one photo; its id is what the client sends back with the report.

    Raises AttachmentRejected (too large, empty, not a supported image) before anything is
    written. `content_type` is the client's claim and is only kept for the record.
    """
    limit = get_settings().max_photo_bytes
    if not data:
        raise AttachmentRejected("the file is empty")
    if len(data) > limit:
        raise AttachmentRejected(f"the photo is larger than {limit // (1024 * 1024) or 1} MB",
                                 limit_bytes=limit)
    detected = sniff_image_type(data)
    if detected is None:
        raise AttachmentRejected("only JPEG, PNG, WebP, GIF or HEIC photos are accepted")
    digest = hashlib.sha256(data).hexdigest()
    path = _write_once(digest, EXTENSIONS[detected], data)
    attachment = Attachment(
        id=uuid.uuid4().hex, sender_id=sender_id, channel=channel,
        filename=(Path(filename).name[:255] if filename else None), content_type=detected,
        size_bytes=len(data), sha256=digest, storage_path=str(path), created_at=utc_naive(now))
    session.add(attachment)
    session.flush()
    return attachment


def _write_once(digest: str, extension: str, data: bytes) -> Path:
    """Write under attachments_dir/ab/abcdef...; identical photos share one file.

    Written to a temp file and renamed, so a crash never leaves half a photo under the
    final name.
    """
    folder = Path(get_settings().attachments_dir) / digest[:2]
    target = folder / f"{digest}{extension}"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def link_attachments(session: Session, case: "Case", ids: Sequence[str],
                     sender_id: Optional[str] = None) -> List[Attachment]:
    """Attach the sender's own (the reporter's, unless `sender_id` names a follower adding to
    the case), not yet linked photos to `case`.

    Ids come from the client, so ids of someone else's photos (or already linked ones) are
    ignored rather than trusted.
    """
    wanted = [str(item) for item in ids if item]
    if not wanted:
        return []
    owner = sender_id or case.sender_id
    rows = session.execute(
        select(Attachment).where(Attachment.id.in_(wanted), Attachment.sender_id == owner)
    ).scalars().all()
    linked = []
    for attachment in rows:
        if attachment.case_id in (None, case.id):
            attachment.case_id = case.id
            linked.append(attachment)
    session.flush()
    return linked
