"""The import rules of ARCHITECTURE.md, checked on the source so a violation fails CI."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = ("actions", "channels", "console", "components")
FORBIDDEN_IN_CORE = set(ADAPTERS) | {"rasa", "rasa_sdk", "sanic", "telegram", "twilio"}


def _python_files(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def _imported_roots(path: Path) -> Set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _violations(package: str, forbidden: Set[str]) -> Iterator[Tuple[str, str]]:
    for path in _python_files(package):
        for root in _imported_roots(path) & forbidden:
            yield str(path.relative_to(ROOT)), root


def test_core_imports_no_adapter_and_no_framework() -> None:
    assert list(_violations("bot", FORBIDDEN_IN_CORE)) == []


@pytest.mark.parametrize("adapter", [name for name in ADAPTERS if (ROOT / name).is_dir()])
def test_adapters_never_import_each_other(adapter: str) -> None:
    others = set(ADAPTERS) - {adapter}
    assert list(_violations(adapter, others)) == []


def test_only_settings_reads_the_environment() -> None:
    readers = []
    for package in ("bot",) + ADAPTERS:
        for path in _python_files(package) if (ROOT / package).is_dir() else ():
            source = path.read_text(encoding="utf-8")
            if ("os.environ" in source or "os.getenv" in source) and path != ROOT / "bot" / "settings.py":
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []
