"""The Rasa server: `python scripts/run_rasa.py run ...` is `rasa run ...` with eleven fixes.

Nine of them change how Rasa itself does its work (validating action server responses,
looking up event classes, writing action calls, copying slots, replaying trackers for the
policies, joining NLU features, running the model graph, parsing button payloads); they live
in components.rasa_fixes, one module each, and are installed here before Rasa starts. The two
below are about this process and stay here:

3. When the server cannot listen (its port already in use), Rasa logs the error and exits 0,
so a supervisor took it for a clean stop. It now exits 1 and says which port (bot.serving).

7. Loading the model leaves about 640,000 long-lived objects (TensorFlow, the domain, the
pipeline), and every full garbage collection under load walked all of them again: about 2.5 s
of CPU in 10 collections over a 900-message run. Once the server has started (the model is
loaded in a before_server_start listener), they are frozen out of later collections
(bot.startup_freeze, which the action server uses too).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: components/ and channels/ must import
    sys.path.insert(0, str(ROOT))


def on_rasa_app(use: Callable[[Any], None]) -> None:
    """Call `use(app)` on the app rasa.core.run.configure_app builds, before it serves."""
    import rasa.core.run

    configure_app = rasa.core.run.configure_app

    def configure_and_use(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        use(app)
        return app

    rasa.core.run.configure_app = configure_and_use


def install_startup_freeze() -> None:
    """Freeze what the server holds once it has started (bot.startup_freeze)."""
    from bot.startup_freeze import freeze_after_start

    on_rasa_app(freeze_after_start)


def watch_rasa_server() -> Callable[[], bool]:
    """Watch the app `rasa run` builds for having served."""
    from bot.serving import watch_serving

    watched: List[Callable[[], bool]] = []
    on_rasa_app(lambda app: watched.append(watch_serving(app)))
    return lambda: bool(watched) and all(served() for served in watched)


def server_port(argv: List[str]) -> int:
    """The --port / -p of a `rasa run` command line (Rasa's default otherwise)."""
    from rasa.core.constants import DEFAULT_SERVER_PORT

    return int(_option(argv, ("--port", "-p")) or DEFAULT_SERVER_PORT)


def server_interface(argv: List[str]) -> str:
    """The --interface / -i of a `rasa run` command line (Rasa's default otherwise)."""
    from rasa.core.constants import DEFAULT_SERVER_INTERFACE

    return _option(argv, ("--interface", "-i")) or DEFAULT_SERVER_INTERFACE


def _option(argv: List[str], names: Tuple[str, ...]) -> Optional[str]:
    for index, word in enumerate(argv):
        if word in names and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(names[0] + "="):
            return word.split("=", 1)[1]
    return None


def watches_serving(argv: List[str], environment: Dict[str, str]) -> bool:
    """`rasa run` (not `rasa run actions`) in one process. With SANIC_WORKERS above 1 the
    workers are child processes, which this one cannot watch, so it does not try."""
    one_process = environment.get("SANIC_WORKERS", "1").strip() in ("", "1")
    return argv[1:2] == ["run"] and argv[2:3] != ["actions"] and one_process


def main() -> None:
    from components.rasa_fixes import install_all

    install_all()
    install_startup_freeze()
    from rasa.__main__ import main as rasa_main

    served = watch_rasa_server() if watches_serving(sys.argv, dict(os.environ)) else None
    if served is not None:
        from bot.serving import exit_if_port_taken

        exit_if_port_taken("The Rasa server", server_port(sys.argv), server_interface(sys.argv))
    rasa_main()  # reads sys.argv[1:] ("run", "--enable-api", ...) like `python -m rasa`
    if served is not None:
        from bot.serving import exit_unless_served

        exit_unless_served(served, "The Rasa server", server_port(sys.argv))


if __name__ == "__main__":
    main()
