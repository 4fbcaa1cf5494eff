"""What every child process of the project's scripts gets: the caller's environment, passed
through, plus the work tree on PYTHONPATH (Rasa imports components/ and actions/ from it) and
Rasa's telemetry off (the assistant runs on closed networks; nothing phones home).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent


def child_environment(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment to start a Rasa, action-server or training process with."""
    env = dict(os.environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{existing}" if existing else str(ROOT)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra or {})
    return env
