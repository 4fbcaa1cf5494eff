"""bench.profile_patches' 'before' sides of components.rasa_fixes must really undo their fix in
a Rasa server started as scripts/run_rasa.py starts it (install_all first), or an A/B
measurement compares the fix with itself. Each child process installs the fixes the way
run_rasa.py does and reports which are in place."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from bench.profile_patches import sitecustomize_dir

ROOT = Path(__file__).resolve().parents[2]
IN_PLACE = '''
import json
import jsonschema, jsonschema.validators
from components.rasa_fixes import install_all
install_all()
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.endpoints import EndpointConfig
wrapped = lambda function: hasattr(function, "__wrapped__")
print(json.dumps({
    "stock_validation": jsonschema.validate is not jsonschema.validators.validate,
    "stock_event_lookup": wrapped(Event.resolve_by_type),
    "stock_json_bodies": wrapped(EndpointConfig.session),
    "stock_slot_copies": "__copy__" in vars(Slot),
    "stock_past_states": wrapped(Domain.states_for_tracker_history),
    "stock_sparse_joins": wrapped(Features._combine_sparse_features),
    "stock_graph_runner": wrapped(DaskGraphRunner.run),
    "stock_slash_parses": wrapped(MessageProcessor._parse_message_with_graph),
}))
'''


def fixes_in_place(patches: List[str], scratch: Path) -> Dict[str, bool]:
    """{patch: whether the fix it undoes is in place} in a process named like the server."""
    script = scratch / "run_rasa.py"  # the patches apply to processes of this name
    script.write_text(IN_PLACE)
    path = [str(sitecustomize_dir(patches, scratch)), str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_every_before_side_undoes_its_fix_after_install_all(tmp_path: Path) -> None:
    shipped = fixes_in_place([], tmp_path)
    assert all(shipped.values()), shipped
    undone = fixes_in_place(sorted(shipped), tmp_path)
    assert not any(undone.values()), undone
