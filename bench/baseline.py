"""The yardstick: a stock `rasa init` assistant, trained and served in a temporary folder.

It is created with Rasa's own scaffold (what `rasa init --no-prompt` writes), trained there
with `rasa train` (timed), and served with `rasa run` on Rasa's REST channel and its default
in-memory tracker store, exactly as a new Rasa user would run it. Nothing of it is kept.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from tests.integration.servers import free_port, project_environment

START_TIMEOUT_SECONDS = 300.0


@dataclass
class StockAssistant:
    """The stock project folder, its trained model and (once served) its server process."""

    folder: Path
    model: Path
    training_seconds: float
    url: str = ""
    process: Optional[subprocess.Popen] = None
    load_seconds: float = 0.0
    _log: List[Path] = field(default_factory=list)

    def serve(self) -> "StockAssistant":
        """`rasa run` on a free port; waits until it answers (the time is its load time)."""
        port = free_port()
        self.url = f"http://localhost:{port}"
        log = (self.folder / "rasa-run.log").open("ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--port", str(port), "--model", str(self.model),
             "--enable-api"],
            cwd=self.folder, env=project_environment({}), stdout=log, stderr=subprocess.STDOUT)
        deadline = started + START_TIMEOUT_SECONDS
        while not _model_ready(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stock assistant did not start; see {self.folder}/rasa-run.log")
            time.sleep(0.2)
        self.load_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _model_ready(url: str) -> bool:
    """Rasa answers /status with the model's fingerprint once the model is loaded."""
    try:
        with urllib.request.urlopen(f"{url}/status", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def create_stock_assistant(parent: Optional[Path] = None) -> StockAssistant:
    """Scaffold `rasa init`'s project in a temporary folder and train it (timed)."""
    from rasa.cli.scaffold import create_initial_project

    folder = Path(tempfile.mkdtemp(prefix="stock-rasa-", dir=parent))
    create_initial_project(str(folder))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--fixed-model-name", "stock", "--out", "models"],
        cwd=folder, env=project_environment({}), capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"training the stock assistant failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return StockAssistant(folder=folder, model=folder / "models" / "stock.tar.gz",
                          training_seconds=seconds)
