"""tests.integration.servers.free_port: two test workers never draw the same "free" port
because something seeded Python's `random` module alike in both.

Loading a Rasa model in a test calls random.seed(42) (rasa.utils.tensorflow.models); both
xdist workers then drew the same port, and the second console answered through the first
one's server, on another database (every sign-in 401, seen on CI).
"""
from __future__ import annotations

import random

from tests.integration.servers import _ephemeral_low, free_port


def test_ports_do_not_follow_the_seeded_random_module() -> None:
    draws = []
    for _ in range(2):  # two workers, each seeded the way loading a model seeds it
        random.seed(42)
        draws.append([free_port() for _ in range(8)])
    assert draws[0] != draws[1]


def test_ports_are_below_the_ephemeral_range() -> None:
    assert all(1024 <= free_port() < _ephemeral_low() for _ in range(20))
