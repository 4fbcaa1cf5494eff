"""The test conversations in tests/stories/ against the trained model. Open-source `rasa test`
does not run the action server: these check what the dialogue predicts, not what actions do
(actions are tested with pytest in tests/actions/). They run through scripts/run_rasa.py, as
the server does, so its fixes to Rasa (the policies' shared past states among them) must
predict every story exactly as before."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.servers import project_environment

ROOT = Path(__file__).resolve().parents[2]
STORIES = ROOT / "tests" / "stories"


@pytest.mark.slow
def test_test_stories_are_predicted_without_errors(trained_model: Path, tmp_path: Path) -> None:
    assert sorted(STORIES.glob("*.yml")), f"no test stories in {STORIES}"

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_rasa.py"), "test", "core",
         "--stories", "tests/stories",
         "--model", str(trained_model), "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=project_environment({}), capture_output=True, text=True)

    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}\n{details}"
