"""Fixes to Rasa 3.6.21 itself, installed by scripts/run_rasa.py before the server starts.

Each one replaces one mechanism inside Rasa that costs the server CPU under load (measured in
docs/performance.md), keeps what Rasa answers and raises exactly as before, and is compared
with the stock code in tests/test_run_rasa*.py, so an upgrade that changes what it patches
fails there rather than in production. The numbers are the ones the docs use:

1, 4. action_responses: action server responses validated by a kept, discriminating validator.
2. event_types: event classes looked up by type name from an index.
5. action_bodies: action calls written with ujson.
6. slot_copies: slots copied without the __reduce_ex__ round trip.
8. past_states: one replay of the tracker for both policies' views of it.
9. sparse_joins: NLU's sparse features joined without scipy's block builder.
10. graph_runner: the model graph run in a kept order instead of through dask.
11. slash_messages: a button's payload parsed by RegexMessageHandler alone, not the pipeline
    whose results it discards.

Fixes 3 (exit 1 when the port is taken) and 7 (start-up objects frozen out of garbage
collection) are about the server process, not Rasa's work, and stay in scripts/run_rasa.py.
"""
from __future__ import annotations

from components.rasa_fixes.action_bodies import install_fast_json_bodies
from components.rasa_fixes.action_responses import install_cached_validation
from components.rasa_fixes.event_types import install_event_type_index
from components.rasa_fixes.graph_runner import install_sequential_graph_runner
from components.rasa_fixes.past_states import install_shared_past_states
from components.rasa_fixes.slash_messages import install_direct_slash_parses
from components.rasa_fixes.slot_copies import install_fast_slot_copies
from components.rasa_fixes.sparse_joins import install_fast_sparse_joins


def install_all() -> None:
    """Every fix of this package, once per process, before Rasa loads a model."""
    install_cached_validation()
    install_event_type_index()
    install_fast_json_bodies()
    install_fast_slot_copies()
    install_shared_past_states()
    install_fast_sparse_joins()
    install_sequential_graph_runner()
    install_direct_slash_parses()
