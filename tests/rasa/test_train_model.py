"""scripts/train_model.py decides when `make model` retrains: exactly when an input changed."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.integration.servers import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def train_model() -> ModuleType:
    return load_script("train_model")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A minimal project tree with every kind of training input."""
    (tmp_path / "config.yml").write_text("language: en\n")
    for name, content in {"domain/core.yml": "intents: [greet]\n",
                          "data/nlu/en/chitchat.yml": "nlu: []\n",
                          "components/classifier.py": "THRESHOLD = 0.35\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    return tmp_path


@pytest.mark.parametrize("changed", ["config.yml", "domain/core.yml", "data/nlu/en/chitchat.yml",
                                     "components/classifier.py", "data/rules.yml"])
def test_changing_any_training_input_changes_the_fingerprint(
        train_model: ModuleType, project: Path, changed: str) -> None:
    before = train_model.compute_fingerprint(project)
    path = project / changed
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:  # an edit, or a new file
        handle.write("# edited\n")
    assert train_model.compute_fingerprint(project) != before


def test_caches_and_unrelated_files_do_not_change_the_fingerprint(
        train_model: ModuleType, project: Path) -> None:
    before = train_model.compute_fingerprint(project)
    (project / "components" / "__pycache__").mkdir()
    (project / "components" / "__pycache__" / "classifier.cpython-310.pyc").write_bytes(b"\0")
    (project / "README.md").write_text("docs\n")
    assert train_model.compute_fingerprint(project) == before


def test_model_is_stale_until_trained_from_the_current_inputs(
        train_model: ModuleType, project: Path) -> None:
    assert not train_model.is_up_to_date(project)
    (project / "models").mkdir()
    (project / train_model.MODEL_FILE).write_bytes(b"model")
    (project / train_model.FINGERPRINT_FILE).write_text(train_model.compute_fingerprint(project))
    assert train_model.is_up_to_date(project)
    (project / "domain" / "core.yml").write_text("intents: [greet, goodbye]\n")
    assert not train_model.is_up_to_date(project)
