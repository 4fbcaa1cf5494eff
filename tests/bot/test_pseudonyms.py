"""bot.pseudonyms: tags for phone numbers and chat ids that the key holder alone can link."""
from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from bot import pseudonyms
from bot.logs import format_event, pseudonym
from bot.privacy_subject import Subject
from bot.settings import get_settings
from tests.integration.servers import ROOT

NUMBER = "+447700900123"


@pytest.fixture
def key_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings read afresh with the key file in tmp_path and no PSEUDONYM_KEY."""
    key_file = tmp_path / "var" / "pseudonym.key"
    monkeypatch.setenv("PSEUDONYM_KEY_FILE", str(key_file))
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    get_settings.cache_clear()
    pseudonyms.pseudonym_key.cache_clear()
    yield key_file
    get_settings.cache_clear()
    pseudonyms.pseudonym_key.cache_clear()


def use_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("PSEUDONYM_KEY", key)
    get_settings.cache_clear()
    pseudonyms.pseudonym_key.cache_clear()


def test_a_plain_hash_of_the_number_is_not_what_is_stored(key_settings: Path) -> None:
    """Anyone can hash every phone number; the tags must not be that table's entries."""
    plain = hashlib.sha256(NUMBER.encode()).hexdigest()
    assert pseudonym(NUMBER) != plain[:8]
    assert Subject("sms", NUMBER).hash != hashlib.sha256(f"sms:{NUMBER}".encode()).hexdigest()
    assert f"sender_id={pseudonym(NUMBER)}" in format_event("x", sender_id=NUMBER)


def test_the_same_key_gives_the_same_tag_and_another_key_another(
        key_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_key(monkeypatch, "k" * 40)
    first = (pseudonym(NUMBER), Subject("sms", NUMBER).hash)
    assert (pseudonym(NUMBER), Subject("sms", NUMBER).hash) == first
    use_key(monkeypatch, "m" * 40)
    assert pseudonym(NUMBER) != first[0] and Subject("sms", NUMBER).hash != first[1]


def test_without_a_setting_one_key_is_generated_kept_private_and_reused(key_settings: Path) -> None:
    tag = pseudonym(NUMBER)
    assert key_settings.exists()
    assert stat.S_IMODE(key_settings.stat().st_mode) == 0o600
    pseudonyms.pseudonym_key.cache_clear()  # as a restarted process
    assert pseudonym(NUMBER) == tag
    assert [p.name for p in key_settings.parent.iterdir()] == ["pseudonym.key"]  # no drafts left


def test_processes_starting_together_agree_on_one_generated_key(key_settings: Path) -> None:
    code = "from bot.logs import pseudonym; print(pseudonym('+447700900123'))"
    env = {**os.environ, "PSEUDONYM_KEY_FILE": str(key_settings)}
    children = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, text=True) for _ in range(4)]
    tags = {child.communicate(timeout=120)[0].strip() for child in children}
    assert len(tags) == 1 and tags == {pseudonym(NUMBER)}


def test_a_short_key_is_refused(monkeypatch: pytest.MonkeyPatch, key_settings: Path) -> None:
    monkeypatch.setenv("PSEUDONYM_KEY", "too-short")
    get_settings.cache_clear()
    with pytest.raises(ValueError):
        get_settings()


def test_the_cli_prints_the_tag_an_operator_searches_the_logs_for(key_settings: Path) -> None:
    env = {**os.environ, "PSEUDONYM_KEY_FILE": str(key_settings)}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "pseudonym", f" {NUMBER} "],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == pseudonym(NUMBER)
