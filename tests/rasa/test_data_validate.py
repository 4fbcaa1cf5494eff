"""`rasa data validate` over the whole project: domain, NLU data, rules, stories and config
must agree (no undefined intents, actions or slots, no conflicting rules or stories)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.servers import project_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_rasa_data_validate_finds_no_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate",
         "--domain", "domain", "--data", "data", "--config", "config.yml"],
        cwd=ROOT, env=project_environment({}), capture_output=True, text=True)

    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, output[-12000:]
