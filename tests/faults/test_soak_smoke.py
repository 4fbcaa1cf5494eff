"""A short soak (bench/soak.py): load over Telegram and SMS with three kill -9 faults (action
server, dispatcher, Rasa server, once each), then every acknowledged message must have been
processed exactly once, every submitted report must be one case, and every outbox message
sent once. `make soak` runs the long version (200 kills)."""
from __future__ import annotations

import pytest

from bench.soak import SoakOptions, run_soak
from bench.soak_report import print_account
from tests.faults.conftest import Faults

pytestmark = pytest.mark.slow


def test_three_kills_under_load_lose_and_duplicate_nothing(healed: Faults) -> None:
    options = SoakOptions(kills=3, citizens=3, seed=7, gap=(4.0, 8.0),
                          order=["actions", "dispatcher", "rasa"], drain_seconds=150.0)
    account = run_soak(healed.assistant, healed.telegram, healed.twilio, options)
    print_account(account)
    figures = account.figures
    assert figures["kills"] == 3
    assert figures["acknowledged"] > 0 and figures["outbox queued"] > 0
    assert figures["duplicated"] == 0 and figures["lost"] == 0, figures
    assert figures["cases created"] == figures["cases expected"], figures
    assert figures["outbox duplicated"] == 0 and figures["outbox lost"] == 0, figures
