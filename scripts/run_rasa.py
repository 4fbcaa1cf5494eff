"""The Rasa server: `python scripts/run_rasa.py run ...` is `rasa run ...` plus three fixes.

1. Rasa 3.6 checks every action server response with jsonschema.validate, which (jsonschema 4)
re-checks the schema itself against the metaschema on every call: about 70 ms of CPU on the
event loop per action call, close to a third of the server's CPU under load
(docs/performance.md). The schema never changes, so it is checked once and its validator kept;
responses are validated as before (the same ValidationError, chosen by best_match as
jsonschema.validate does).

2. Rasa turns every stored or received event (a loaded tracker's, an action's) into its class
with Event.resolve_by_type, which walks the whole Event class tree, checking each class for
abstract methods, on every call: about 70 us per event, 5 ms of the event loop per message
with a 70-event tracker. The classes do not change once imported, so each type name's class
is looked up once and kept; unknown names still fall back (or raise) exactly as before.

3. When the server cannot listen (its port already in use), Rasa logs the error and exits 0,
so a supervisor took it for a clean stop. It now exits 1 and says which port (bot.serving).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: components/ and channels/ must import
    sys.path.insert(0, str(ROOT))


def install_cached_validation() -> None:
    """jsonschema.validate, with each distinct schema checked and compiled once."""
    import jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    cache: List[Tuple[Any, Any]] = []

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        validator = next((v for s, v in cache if s is schema or s == schema), None)
        if validator is None:
            klass = cls or validator_for(schema)
            klass.check_schema(schema)
            validator = klass(schema, *args, **kwargs)
            cache.append((schema, validator))
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    jsonschema.validate = validate


def install_event_type_index() -> None:
    """Event.resolve_by_type answering from a dict filled by its first answer for each name."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    index: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = index.get(type_name)
        if found is None:
            found = resolve(type_name, default)  # unknown names: the default, None or ValueError
            if found is not None and found is not default:
                index[type_name] = found
        return found

    resolve_by_type.__wrapped__ = resolve  # type: ignore[attr-defined]  (what it wraps)
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


def watch_rasa_server() -> Callable[[], bool]:
    """Watch the app `rasa run` builds (rasa.core.run.configure_app) for having served."""
    import rasa.core.run

    from bot.serving import watch_serving

    watched: List[Callable[[], bool]] = []
    configure_app = rasa.core.run.configure_app

    def configure_and_watch(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        watched.append(watch_serving(app))
        return app

    rasa.core.run.configure_app = configure_and_watch
    return lambda: bool(watched) and all(served() for served in watched)


def server_port(argv: List[str]) -> int:
    """The --port / -p of a `rasa run` command line (Rasa's default otherwise)."""
    from rasa.core.constants import DEFAULT_SERVER_PORT

    for index, word in enumerate(argv):
        if word in ("--port", "-p") and index + 1 < len(argv):
            return int(argv[index + 1])
        if word.startswith("--port="):
            return int(word.split("=", 1)[1])
    return DEFAULT_SERVER_PORT


def watches_serving(argv: List[str], environment: Dict[str, str]) -> bool:
    """`rasa run` (not `rasa run actions`) in one process. With SANIC_WORKERS above 1 the
    workers are child processes, which this one cannot watch, so it does not try."""
    one_process = environment.get("SANIC_WORKERS", "1").strip() in ("", "1")
    return argv[1:2] == ["run"] and argv[2:3] != ["actions"] and one_process


def main() -> None:
    install_cached_validation()
    install_event_type_index()
    from rasa.__main__ import main as rasa_main

    served = watch_rasa_server() if watches_serving(sys.argv, dict(os.environ)) else None
    rasa_main()  # reads sys.argv[1:] ("run", "--enable-api", ...) like `python -m rasa`
    if served is not None:
        from bot.serving import exit_unless_served

        exit_unless_served(served, "The Rasa server", server_port(sys.argv))


if __name__ == "__main__":
    main()
