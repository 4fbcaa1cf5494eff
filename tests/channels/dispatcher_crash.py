"""Run the outbox dispatcher with a crash hook: the crash test's wrapper around
channels.dispatcher.main (test-only; production has no hook and the default lease).

    python tests/channels/dispatcher_crash.py --lease-seconds 2 --crash-at accepted:17

--crash-at STAGE:ID kills the process with os._exit (no cleanup, no commit, like kill -9) when
outbox message ID reaches STAGE: claimed (before the send), accepted (the provider took it,
the row is not marked yet) or marked (the row is committed as sent).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from channels import dispatcher  # noqa: E402  (after the path is set)

CRASH_EXIT = 70


def crash_hook(target: Optional[str]):  # type: ignore[no-untyped-def]
    """A checkpoint that dies at STAGE:ID, or None."""
    if not target:
        return None
    stage, message_id = target.split(":")

    def checkpoint(reached: str, outbox_id: int) -> None:
        if reached == stage and outbox_id == int(message_id):
            sys.stderr.write(f"crash-hook: exiting at {stage} of outbox {outbox_id}\n")
            sys.stderr.flush()
            os._exit(CRASH_EXIT)

    return checkpoint


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lease-seconds", type=float, default=300.0)
    parser.add_argument("--crash-at", default=None)
    args = parser.parse_args()
    dispatcher.main(lease=dt.timedelta(seconds=args.lease_seconds),
                    checkpoint=crash_hook(args.crash_at))


if __name__ == "__main__":
    main()
