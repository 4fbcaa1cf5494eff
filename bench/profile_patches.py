"""Candidate performance changes, applied to the running servers for an A/B measurement.

Some of what the profile points at lives in code this bench does not own (Rasa itself, the
core's engine setup), so the bench measures a change before anyone edits that code: each
candidate is a patch installed in the server processes through a generated
`sitecustomize.py` (`sitecustomize_dir`) put first on their PYTHONPATH. The patch runs after
the module it changes has been imported, in the processes named, and nowhere else. What a
patch buys is measured with `python -m bench.load --variants "none;jsonschema_cache"`.

Patches:
- jsonschema_cache: Rasa validates every action server response with `jsonschema.validate`,
  which re-checks the schema itself against the metaschema on every call (jsonschema 4: about
  a third of the Rasa server's CPU under load). Check the schema once, keep the validator.
- stock_validation: the reverse of jsonschema_cache, now that components.rasa_fixes ships it:
  Rasa's own per-call jsonschema.validate, the 'before' side of that change.
- sqlite_null_pool: the 'before' side of bot.db's pooled SQLite engines: SQLAlchemy 1.4's
  NullPool for a SQLite file, so every unit of work opens a connection, runs four PRAGMAs and
  closes it (bot.db now keeps them in a QueuePool).
- immediate_reads: the 'before' side of bot.db.read_scope: hot-path reads (turn order, opt-out,
  offered options, catalogue, case status, web chat updates) as ordinary units of work again,
  each taking SQLite's write lock with BEGIN IMMEDIATE.
- stock_event_lookup: the 'before' side of components.rasa_fixes' event type index: Rasa's own
  Event.resolve_by_type, walking the Event class tree for every event it reads.
- stock_tracker_store: the 'before' side of components/tracker_store.py: Rasa's own
  SQLTrackerStore loading and saving (ORM rows, the count query, nothing remembered).
- full_domain: the 'before' side of endpoints.yml's enable_selective_domain: Rasa sends the
  whole domain (65 KB, mostly response texts in four languages) with every action call, to
  be encoded by Rasa and decoded by the action server.
- sessionmaker_per_scope: the 'before' side of bot.db's plain Sessions: a sessionmaker (a new
  Session subclass, whose event listeners SQLAlchemy builds afresh) for every unit of work,
  read scopes included (before, only session_scope made one).
- stock_one_of, stock_json_bodies, stock_slot_copies, no_startup_freeze, stock_past_states,
  stock_sparse_joins, stock_graph_runner, stock_slash_parses: the 'before' sides of fixes 4-11
  (components.rasa_fixes, and bot.startup_freeze for fix 7), each undoing one fix in the
  running server.
- pipeline_category_rows: the 'before' side of components.category_classifier's OneTextScorer:
  each typed message's category scored through the vectorizers' transform and a sparse join.
- stock_telegram_transport: the 'before' side of channels.telegram_http: the Telegram channel's
  Bot on python-telegram-bot's default httpx transport.
- tf_single_thread: TensorFlow's inter- and intra-op thread pools at one thread each
  (TF_INTER_OP_PARALLELISM_THREADS / TF_INTRA_OP_PARALLELISM_THREADS, read by Rasa at start):
  with 50 conversations the requests are the parallelism, and the pools' threads compete with
  the event loop for 2 cores.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]


def unwrap(owner: Any, name: str) -> None:
    """Put back what a fix of components.rasa_fixes replaced: each keeps Rasa's own function as
    its `__wrapped__`. Nothing happens when the fix is not installed."""
    fixed = getattr(owner, name)
    setattr(owner, name, getattr(fixed, "__wrapped__", fixed))


def cached_jsonschema(module: ModuleType) -> None:
    """The shipped fix (components.rasa_fixes.action_responses): jsonschema.validate with each
    schema checked once. `module` is jsonschema itself, which install_cached_validation patches."""
    from components.rasa_fixes.action_responses import install_cached_validation

    install_cached_validation()


def null_pool_sqlite(module: ModuleType) -> None:
    """bot.db's engines for SQLite files without a pool, as SQLAlchemy 1.4 makes them."""
    pooled = module._sqlite_engine
    module._sqlite_engine = lambda url, file_backed: pooled(url, False)


def stock_validation(module: ModuleType) -> None:
    """Undo components.rasa_fixes' cached validation: Rasa's behaviour out of the box, for the
    'before' side of the jsonschema_cache measurement now that the fix ships."""
    import jsonschema
    import jsonschema.validators

    jsonschema.validate = jsonschema.validators.validate


def stock_one_of(module: ModuleType) -> None:
    """The cached validation without the discriminated oneOf: every event tried against all
    23 event schemas, as before (run once Rasa's action module is imported, after the fix)."""
    from components.rasa_fixes.action_responses import install_cached_validation

    install_cached_validation(discriminate_one_of=False)


def stock_json_bodies(module: ModuleType) -> None:
    """Rasa's action calls written by the json module again, as before."""
    from rasa.utils.endpoints import EndpointConfig

    unwrap(EndpointConfig, "session")


def stock_slot_copies(module: ModuleType) -> None:
    """Slots copied the generic way (copy.copy through __reduce_ex__), as before."""
    from rasa.shared.core.slots import Slot

    if "__copy__" in vars(Slot):
        delattr(Slot, "__copy__")


def no_startup_freeze(module: ModuleType) -> None:
    """bot.startup_freeze doing nothing: the servers' start-up objects stay in every garbage
    collection, as before."""
    module.freeze_startup_objects = lambda: 0


def stock_past_states(module: ModuleType) -> None:
    """Each policy replays the tracker into past states of its own again, as before."""
    from rasa.shared.core.domain import Domain

    unwrap(Domain, "states_for_tracker_history")


def stock_sparse_joins(module: ModuleType) -> None:
    """NLU features joined by scipy.sparse.hstack again, as before."""
    from rasa.shared.nlu.training_data.features import Features

    unwrap(Features, "_combine_sparse_features")


def stock_telegram_transport(module: ModuleType) -> None:
    """Bots on python-telegram-bot's own httpx transport again (channels.telegram.make_bot)."""
    from telegram.request import HTTPXRequest

    module.AiohttpRequest = HTTPXRequest


def stock_graph_runner(module: ModuleType) -> None:
    """The model graph run through dask again, as before."""
    from rasa.engine.runner.dask import DaskGraphRunner

    unwrap(DaskGraphRunner, "run")


def stock_slash_parses(module: ModuleType) -> None:
    """A button's payload parsed through the whole NLU pipeline again, as before."""
    from rasa.core.processor import MessageProcessor

    unwrap(MessageProcessor, "_parse_message_with_graph")


def pipeline_category_rows(module: ModuleType) -> None:
    """The category classifier without its one-text scorer: the pipeline's own transforms."""
    module.OneTextScorer.for_pipeline = classmethod(lambda cls, pipeline: None)


def immediate_reads(module: ModuleType) -> None:
    """bot.db.read_scope as it was before it existed: session_scope (write lock, commit)."""
    module.read_scope = module.session_scope


def stock_event_lookup(module: ModuleType) -> None:
    """Undo components.rasa_fixes' event type index (run once Rasa's processor is imported, after it)."""
    from rasa.shared.core.events import Event

    indexed = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(getattr(indexed, "__wrapped__", indexed))


def stock_tracker_store(module: ModuleType) -> None:
    """components.tracker_store.LeanSQLTrackerStore loading and saving as SQLTrackerStore."""
    from rasa.core.tracker_store import SQLTrackerStore

    module.LeanSQLTrackerStore._retrieve = SQLTrackerStore._retrieve
    module.LeanSQLTrackerStore.save = SQLTrackerStore.save


def full_domain(module: ModuleType) -> None:
    """Every action call carries the domain again, as without enable_selective_domain."""
    module.RemoteAction._is_selective_domain_enabled = lambda self: False


def sessionmaker_per_scope(module: ModuleType) -> None:
    """bot.db's units of work each from a sessionmaker of their own, as session_scope was."""
    from sqlalchemy.orm import sessionmaker

    module.Session = lambda **options: sessionmaker(**options)()


def tf_single_thread(module: ModuleType) -> None:
    """Set before rasa.__main__ calls setup_tf_environment, which reads them."""
    import os

    os.environ["TF_INTER_OP_PARALLELISM_THREADS"] = "1"
    os.environ["TF_INTRA_OP_PARALLELISM_THREADS"] = "1"


RASA_FIXES = "components.rasa_fixes"


def after_install_all(undo: Callable[[ModuleType], None]) -> Callable[[ModuleType], None]:
    """A hook for components.rasa_fixes that makes its install_all run `undo` once every fix is
    in. A 'before' side has to run after its fix, and installing the fixes imports the Rasa
    modules they patch (fix 11 imports rasa.core.processor, which imports the action module),
    so a hook on one of those can run in the middle of install_all: before the fix it should
    undo, or on a module half imported."""
    def hook(module: ModuleType) -> None:
        install_all = module.install_all

        def install_all_then_undo() -> None:
            install_all()
            undo(module)

        module.install_all = install_all_then_undo

    return hook


# name -> (module patched, function, processes: words of their command line)
PATCHES: Dict[str, Tuple[str, Callable[[ModuleType], None], Tuple[str, ...]]] = {
    "jsonschema_cache": ("jsonschema", cached_jsonschema, ("rasa", "run_rasa.py")),
    "stock_validation": (RASA_FIXES, after_install_all(stock_validation), ("run_rasa.py",)),
    "sqlite_null_pool": ("bot.db", null_pool_sqlite, ("rasa", "run_rasa.py", "run_actions.py",
                                                      "console", "channels.dispatcher")),
    "stock_event_lookup": (RASA_FIXES, after_install_all(stock_event_lookup), ("run_rasa.py",)),
    "stock_tracker_store": ("components.tracker_store", stock_tracker_store, ("run_rasa.py",)),
    "full_domain": ("rasa.core.actions.action", full_domain, ("run_rasa.py",)),
    "stock_one_of": (RASA_FIXES, after_install_all(stock_one_of), ("run_rasa.py",)),
    "stock_json_bodies": (RASA_FIXES, after_install_all(stock_json_bodies), ("run_rasa.py",)),
    "stock_slot_copies": (RASA_FIXES, after_install_all(stock_slot_copies), ("run_rasa.py",)),
    "no_startup_freeze": ("bot.startup_freeze", no_startup_freeze,
                          ("run_rasa.py", "run_actions.py")),
    "stock_past_states": (RASA_FIXES, after_install_all(stock_past_states), ("run_rasa.py",)),
    "stock_sparse_joins": (RASA_FIXES, after_install_all(stock_sparse_joins), ("run_rasa.py",)),
    "stock_graph_runner": (RASA_FIXES, after_install_all(stock_graph_runner), ("run_rasa.py",)),
    "stock_slash_parses": (RASA_FIXES, after_install_all(stock_slash_parses), ("run_rasa.py",)),
    "pipeline_category_rows": ("components.category_classifier", pipeline_category_rows,
                               ("run_rasa.py",)),
    "stock_telegram_transport": ("channels.telegram", stock_telegram_transport, ("run_rasa.py",)),
    "sessionmaker_per_scope": ("bot.db", sessionmaker_per_scope,
                               ("rasa", "run_rasa.py", "run_actions.py", "console",
                                "channels.dispatcher")),
    "tf_single_thread": ("rasa.utils.tensorflow.environment", tf_single_thread,
                         ("rasa", "run_rasa.py")),
    "immediate_reads": ("bot.db", immediate_reads, ("rasa", "run_rasa.py", "run_actions.py",
                                                    "console", "channels.dispatcher")),
}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs `hook(module)` right after `name` is first imported."""

    def __init__(self, name: str, hook: Callable[[ModuleType], None]) -> None:
        self.name, self.hook = name, hook

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Optional[Any]:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        original, hook = spec.loader.exec_module, self.hook

        def exec_module(module: ModuleType) -> None:
            original(module)
            hook(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install(names: List[str], command_line: List[str]) -> None:
    """Install the named patches that apply to a process with this command line."""
    command_line = [word.rsplit("/", 1)[-1] for word in command_line]
    for name in names:
        module, hook, processes = PATCHES[name]
        if any(word in command_line for word in processes):
            if module in sys.modules:
                hook(sys.modules[module])
            else:
                sys.meta_path.insert(0, _AfterImport(module, hook))


def sitecustomize_dir(names: List[str], scratch: Path) -> Path:
    """A folder whose sitecustomize.py installs `names` in every Python started with it first
    on PYTHONPATH (the command line is read from /proc: sys.argv is not set yet)."""
    unknown = set(names) - set(PATCHES)
    if unknown:
        raise ValueError(f"unknown patches: {', '.join(sorted(unknown))}")
    folder = scratch / ("patches-" + "-".join(names or ["none"]))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "argv = [w.decode(errors='replace') for w in open('/proc/self/cmdline', 'rb').read().split(b'\\0')]\n"
        "from bench.profile_patches import install\n"
        f"install({names!r}, argv)\n")
    return folder
