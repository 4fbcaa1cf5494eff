"""Train models/civic.tar.gz only when what the model is built from has changed.

Training takes minutes on two cores, and `make run`, `make test` and the test fixtures all need
a model; a fingerprint of the inputs (config.yml, domain/, data/, components/ and the Rasa
version) stored next to the model lets all of them share one cheap up-to-date check. This file
is the single implementation: the Makefile's `model` target and tests/conftest.py both call it.

Usage: python scripts/train_model.py [--check] [--force]
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator, List

from project_env import ROOT, child_environment

MODEL_NAME = "civic"
MODEL_FILE = f"models/{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = f"models/{MODEL_NAME}.fingerprint"
INPUTS = ("config.yml", "domain", "data", "components")
IGNORED_PARTS = {"__pycache__", ".pytest_cache"}
IGNORED_SUFFIXES = {".pyc", ".pyo"}


def _input_files(root: Path) -> Iterable[Path]:
    """Every file the model is built from, in a stable order (missing inputs are skipped)."""
    for name in INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if (child.is_file() and not IGNORED_PARTS.intersection(child.parts)
                        and child.suffix not in IGNORED_SUFFIXES):
                    yield child


def compute_fingerprint(root: Path = ROOT) -> str:
    """A hash of the training inputs' paths and contents, plus the Rasa version."""
    digest = hashlib.sha256()
    digest.update(f"rasa=={metadata.version('rasa')}\n".encode())
    for path in _input_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def is_up_to_date(root: Path = ROOT) -> bool:
    """True when the model exists and was trained from exactly the current inputs."""
    fingerprint_path = root / FINGERPRINT_FILE
    model_path = root / MODEL_FILE
    if not (model_path.is_file() and fingerprint_path.is_file()):
        return False
    return fingerprint_path.read_text().strip() == compute_fingerprint(root)


def train_command(out_dir: str = "models") -> List[str]:
    """The one `rasa train` invocation the project uses."""
    return [
        sys.executable, "-m", "rasa", "train",
        "--domain", "domain", "--data", "data", "--config", "config.yml",
        "--out", out_dir, "--fixed-model-name", MODEL_NAME,
    ]


def train(root: Path = ROOT) -> None:
    """Run `rasa train` into a scratch folder, then swap the model in with one rename.

    A server loading models/civic.tar.gz while we train (make run, a test) sees either the
    old model or the new one, never a half-written file; the fingerprint is recorded only
    after the new model is in place."""
    fingerprint = compute_fingerprint(root)
    model_path = root / MODEL_FILE
    with tempfile.TemporaryDirectory(prefix=".train-", dir=model_path.parent) as scratch:
        subprocess.run(train_command(scratch), cwd=root, env=child_environment(), check=True)
        trained = Path(scratch) / model_path.name
        if not trained.is_file():
            raise SystemExit(f"rasa train finished but {trained} is missing")
        os.replace(trained, model_path)
    (root / FINGERPRINT_FILE).write_text(fingerprint + "\n")


@contextmanager
def training_lock(root: Path = ROOT) -> Iterator[None]:
    """One trainer at a time: `make test`, a test run and `make run` may overlap, and two
    trainers writing models/civic.tar.gz at once would leave a broken model."""
    lock_path = root / "models" / ".train.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 0 when the model is up to date, 1 when it needs training")
    parser.add_argument("--force", action="store_true", help="train even when up to date")
    args = parser.parse_args(argv)
    if args.check:
        up_to_date = is_up_to_date()
        print("model up to date" if up_to_date else "model needs training")
        return 0 if up_to_date else 1
    with training_lock():
        if is_up_to_date() and not args.force:  # checked under the lock: another run may have trained
            print(f"{MODEL_FILE} is up to date (inputs unchanged); not training")
            return 0
        try:
            train()
        except subprocess.CalledProcessError as exc:
            print(f"rasa train failed with exit code {exc.returncode}", file=sys.stderr)
            return exc.returncode or 1
    print(f"trained {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
