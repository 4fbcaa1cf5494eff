"""One assistant for the fault tests: Rasa, actions and dispatcher as separate processes (so a
test can kill -9 one) with the Telegram and Twilio fakes. Each test leaves every process
running again when it ends (tests/faults/cluster.py restarts what it killed)."""
from __future__ import annotations

import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from bench.soak_citizens import Webhooks
from tests.faults.cluster import (CITY_NUMBER, PROCESSES, SECRET, SMS_PUBLIC_URL, TOKEN,
                                  FaultyAssistant, build_assistant, fault_environment)
from tests.integration.servers import ROOT
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio

STALE_TURN_SECONDS = "4"


@dataclass
class Faults:
    """The running assistant, the provider fakes and a citizen driver over the webhooks."""

    assistant: FaultyAssistant
    telegram: FakeTelegramApi
    twilio: FakeTwilio
    hooks: Webhooks

    def heal(self) -> None:
        """Start again whatever a test killed."""
        for name in PROCESSES:
            if not self.assistant.processes[name].running:
                self.assistant.start(name)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fault-model", default=str(ROOT / "models" / "civic.tar.gz"),
                     help="model archive for tests/faults (default: the shipped one)")


@pytest.fixture(scope="session")
def shipped_model(request: pytest.FixtureRequest) -> Path:
    """models/civic.tar.gz as the lead ships it (or --fault-model). Never trained here: the
    trained_model fixture would rewrite the shipped model while others change data/."""
    model = Path(request.config.getoption("--fault-model"))
    try:
        with tarfile.open(model) as archive:
            archive.getmembers()
    except (OSError, tarfile.TarError, EOFError) as error:
        pytest.fail(f"no usable model at {model} ({error}): run `make model` first", pytrace=False)
    return model


@pytest.fixture(scope="session")
def faults(shipped_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    telegram, twilio = FakeTelegramApi(TOKEN).start(), FakeTwilio().start()
    env = fault_environment(telegram.base_url, twilio,
                            {"TELEGRAM_STALE_TURN_SECONDS": STALE_TURN_SECONDS,
                             "SMS_STALE_TURN_SECONDS": STALE_TURN_SECONDS})
    assistant = build_assistant(tmp_path_factory.mktemp("faults"), env, model=shipped_model)
    hooks = Webhooks(assistant.rasa_url, SECRET, twilio.account_sid, twilio.auth_token,
                     SMS_PUBLIC_URL, CITY_NUMBER, retry_seconds=0.5)
    try:
        assistant.start_all()
        yield Faults(assistant, telegram, twilio, hooks)
    finally:
        assistant.stop_all()
        telegram.stop()
        twilio.stop()


@pytest.fixture
def healed(faults: Faults) -> Iterator[Faults]:
    """The shared assistant with every process running before and after the test."""
    faults.heal()
    yield faults
    faults.heal()
