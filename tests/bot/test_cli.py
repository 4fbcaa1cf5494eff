"""bot.cli: migrate, seed (idempotent) and show-case against a database of its own."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cases import open_case
from bot.cli import main
from bot.db import session_scope
from bot.faq import load_faq_file
from bot.models import FaqEntry, Service
from bot.settings import get_settings


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setattr(get_settings(), "database_url", url)
    return url


def test_seed_twice_loads_services_and_faq_once(cli_db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["seed"]) == 0
    assert main(["seed"]) == 0
    assert "FAQ: 0 new topics" in capsys.readouterr().out
    with session_scope(cli_db) as session:
        assert session.execute(select(func.count(Service.code))).scalar_one() == 16
        assert session.execute(select(func.count(FaqEntry.id))).scalar_one() == len(load_faq_file())


def test_show_case_prints_the_case_and_its_history(cli_db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    with session_scope(cli_db) as session:
        reference = open_case(session, submission_id="cli-1", service_code="noise",
                              description="Music every night", address="4 Elm Rd", latitude=None,
                              longitude=None, channel="sms", sender_id="s1").case.reference
    capsys.readouterr()
    assert main(["show-case", reference.lower()]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["reference"] == reference and shown["department"] == "Environmental Health"
    assert [event["kind"] for event in shown["history"]] == ["created"]


def test_show_case_of_an_unknown_reference_fails(cli_db: str, capsys: pytest.CaptureFixture) -> None:
    main(["migrate"])
    assert main(["show-case", "C-2026-999999"]) == 1
    assert "no case" in capsys.readouterr().err
