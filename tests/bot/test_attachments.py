"""bot.attachments: photos are checked on their bytes, stored once, linked to their sender's case."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import func, select

from bot.attachments import link_attachments, sniff_image_type, store_attachment
from bot.cases import open_case
from bot.db import session_scope
from bot.errors import AttachmentRejected
from bot.models import Attachment
from bot.settings import get_settings

SAMPLES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64,
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64,
    "image/gif": b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64,
    "image/heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
}


def _rows(db: str, sender: str) -> int:
    with session_scope(db) as session:
        return session.execute(select(func.count(Attachment.id))
                               .where(Attachment.sender_id == sender)).scalar_one()


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_supported_images_are_recognised_by_their_bytes(kind: str) -> None:
    assert sniff_image_type(SAMPLES[kind]) == kind


@pytest.mark.parametrize("data", [b"%PDF-1.7 ...", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                  b"MZ\x90\x00 executable", b"\x00\x00\x00\x18ftypmp42 video"])
def test_other_files_are_not_images(data: bytes) -> None:
    assert sniff_image_type(data) is None


def test_photo_is_stored_under_its_hash_with_a_row(db: str, sender: str, attachments_dir: Path) -> None:
    with session_scope(db) as session:
        stored = store_attachment(session, sender_id=sender, channel="webchat",
                                  data=SAMPLES["image/png"], content_type="image/jpeg",
                                  filename="../../etc/photo.png")
    path = Path(stored.storage_path)
    assert path.parent.parent == attachments_dir and path.name == f"{stored.sha256}.png"
    assert path.read_bytes() == SAMPLES["image/png"]
    assert stored.content_type == "image/png"  # the bytes decide, not the client's claim
    assert stored.filename == "photo.png" and stored.size_bytes == len(SAMPLES["image/png"])


def test_the_same_photo_twice_shares_one_file(db: str, sender: str, attachments_dir: Path) -> None:
    with session_scope(db) as session:
        first = store_attachment(session, sender_id=sender, channel="sms", data=SAMPLES["image/gif"])
        second = store_attachment(session, sender_id=sender, channel="sms", data=SAMPLES["image/gif"])
    assert first.id != second.id and first.storage_path == second.storage_path
    assert len(list(attachments_dir.rglob("*.gif"))) == 1


def test_oversized_photo_rejected_and_nothing_stored(db: str, sender: str, attachments_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_photo_bytes", 1024)
    big = SAMPLES["image/jpeg"] + b"\x00" * 2048
    with pytest.raises(AttachmentRejected) as caught:
        with session_scope(db) as session:
            store_attachment(session, sender_id=sender, channel="webchat", data=big)
    assert "larger than" in caught.value.reason and caught.value.limit_bytes == 1024
    assert not attachments_dir.exists() or list(attachments_dir.rglob("*")) == []
    assert _rows(db, sender) == 0


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"%PDF-1.7", "only JPEG")])
def test_empty_or_non_image_upload_rejected_and_nothing_stored(
        db: str, sender: str, attachments_dir: Path, data: bytes, reason: str) -> None:
    with pytest.raises(AttachmentRejected, match=reason):
        with session_scope(db) as session:
            store_attachment(session, sender_id=sender, channel="webchat", data=data,
                             content_type="image/jpeg")
    assert not attachments_dir.exists()
    assert _rows(db, sender) == 0


def test_only_the_senders_own_photos_are_linked_to_the_case(
        db: str, sender: str, attachments_dir: Path, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        mine = store_attachment(session, sender_id=sender, channel="webchat", data=SAMPLES["image/jpeg"])
        theirs = store_attachment(session, sender_id="stranger", channel="webchat",
                                  data=SAMPLES["image/png"])
    with session_scope(db) as session:
        case = open_case(session, **report(attachment_ids=[mine.id, theirs.id, "no-such-id"])).case
        linked = {item.id for item in case.attachments}
        assert linked == {mine.id}
        assert link_attachments(session, case, []) == []
    with session_scope(db) as session:
        other_case = open_case(session, **report()).case
        assert link_attachments(session, other_case, [mine.id]) == []  # already on a case
