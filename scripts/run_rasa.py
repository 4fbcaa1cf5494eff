"""The Rasa server: `python scripts/run_rasa.py run ...` is `rasa run ...` plus nine fixes.

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

4. An action server response's events are checked against a oneOf of 23 event schemas, and
jsonschema tries every one of them for every event: about 0.3 ms per event, 5 ms for a reply
that sets 17 slots. Each branch pins "event" to its own name, so only the branch named by the
event can match; the cached validator goes straight to it. Valid and invalid responses are
told apart exactly as before, and an invalid one is re-checked the stock way so its error
reads the same.

5. Rasa serialises the tracker it sends with every action call (20-35 KB) with the standard
json module; ujson (already installed with Sanic) writes the same JSON in 40% of the time.
What json refuses to write (a set, bytes) ujson refuses too, with the same TypeError.

6. Every tracker Rasa builds (loading one, and again for each past state a policy looks at)
copies each of the domain's slots with copy.copy, which for a plain object goes the generic
way through __reduce_ex__: 1.7 us a slot, about 3% of the server's CPU with our 45 slots.
Slots get a __copy__ that makes the same shallow copy directly (a new instance of the class
with the same attributes), unless a slot class customises pickling, which keeps the old way.

7. Loading the model leaves about 640,000 long-lived objects (TensorFlow, the domain, the
pipeline), and every full garbage collection under load walked all of them again: about 2.5 s
of CPU in 10 collections over a 900-message run. Once the server has started (the model is
loaded in a before_server_start listener), they are frozen out of later collections
(bot.startup_freeze, which the action server uses too).

8. To predict the next action, RulePolicy and MemoizationPolicy each turn the whole tracker
into its past states, replaying every event of the session (RulePolicy up to twice, and the
two policies ask for different views: with and without rule-only turns): 8% of the server's
CPU with two-report conversations, growing with their length. They get the same tracker
object in one prediction, so the tracker keeps its replay (the state before each action, for
its current events) and each view is made from copies of it by Rasa's own loop, since the
featurizers edit the last state in place.

9. NLU joins each message's sparse features (regex, lexical, word and character counts) with
scipy.sparse.hstack, which goes through the general block-matrix builder: about 90 us a join,
several joins per message for DIET and the category classifier. Two COO matrices side by side
are their entries with the right one's columns shifted; that is built directly (about 20 us),
the same matrix, values, dtype and index type. Other formats keep scipy's way.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: components/ and channels/ must import
    sys.path.insert(0, str(ROOT))


def install_cached_validation(discriminate_one_of: bool = True) -> None:
    """jsonschema.validate, with each distinct schema checked and compiled once (and its
    discriminated oneOfs taken straight to their branch, unless `discriminate_one_of` is off)."""
    import jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    cache: List[Tuple[Any, Any, Any]] = []  # (schema, validator, stock validator)

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        found = next((entry for entry in cache if entry[0] is schema or entry[0] == schema), None)
        if found is None:
            klass = cls or validator_for(schema)
            klass.check_schema(schema)
            stock = klass(schema, *args, **kwargs)
            fast = discriminating(klass)(schema, *args, **kwargs) if discriminate_one_of else stock
            found = (schema, fast, stock)
            cache.append(found)
        _, fast, stock = found
        if fast is not stock and fast.is_valid(instance):
            return
        error = best_match(stock.iter_errors(instance))
        if error is not None:
            raise error

    jsonschema.validate = validate


def discriminating(klass: Any) -> Any:
    """`klass` with a oneOf that, when every branch pins the same property to its own string
    (Rasa's events: "event": "slot", "user", ...), checks only the branch the instance names.
    Any other branch fails on that property, so the instance is valid exactly when that branch
    passes. Other oneOfs, and instances without the property, go through the stock check."""
    from jsonschema import _validators, validators
    from jsonschema.exceptions import ValidationError

    known: Dict[int, Tuple[Any, Any]] = {}  # id(branches) -> (branches, discriminator or None)

    def one_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
        if id(branches) not in known:
            known[id(branches)] = (branches, discriminator(branches))
        found = known[id(branches)][1]
        name = instance.get(found[0]) if found and isinstance(instance, dict) else None
        if not isinstance(name, str):
            yield from _validators.oneOf(validator, branches, instance, schema)
        elif name not in found[1]:
            yield ValidationError(f"{instance!r} is not valid under any of the given schemas")
        else:
            yield from validator.descend(instance, branches[found[1][name]],
                                         schema_path=found[1][name])

    return validators.extend(klass, {"oneOf": one_of})


def discriminator(branches: Any) -> Any:
    """(property, {its string: branch index}) when every branch pins one and the same property
    to a string of its own with "const"; None otherwise."""
    names: Dict[str, int] = {}
    keys = set()
    for index, branch in enumerate(branches if isinstance(branches, list) else []):
        properties = branch.get("properties") if isinstance(branch, dict) else None
        pinned = [(key, rule["const"]) for key, rule in (properties or {}).items()
                  if isinstance(rule, dict) and isinstance(rule.get("const"), str)]
        if len(pinned) != 1 or pinned[0][1] in names:
            return None
        keys.add(pinned[0][0])
        names[pinned[0][1]] = index
    return (keys.pop(), names) if len(keys) == 1 and names else None


def install_fast_json_bodies() -> None:
    """Rasa's HTTP clients (the action endpoint's above all) write JSON bodies with ujson."""
    import ujson
    from rasa.utils.endpoints import EndpointConfig

    def dumps(value: Any) -> str:
        return ujson.dumps(value, escape_forward_slashes=False)

    stock_session = EndpointConfig.session

    def session(self: Any) -> Any:
        made = stock_session(self)
        made._json_serialize = dumps  # aiohttp's json_serialize= (Rasa does not pass one)
        return made

    session.__wrapped__ = stock_session  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]


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


def install_fast_slot_copies() -> None:
    """copy.copy(slot) as the same shallow copy, made without the __reduce_ex__ round trip."""
    import copy

    from rasa.shared.core.slots import Slot

    plain: Dict[type, bool] = {}  # slot class -> pickles as a plain object (decided once)

    def __copy__(self: Any) -> Any:
        cls = self.__class__
        if cls not in plain:
            plain[cls] = (cls.__reduce_ex__ is object.__reduce_ex__
                          and cls.__reduce__ is object.__reduce__
                          and getattr(cls, "__getstate__", None) is None)
        if not plain[cls]:
            return copy._reconstruct(self, None, *self.__reduce_ex__(4))  # as copy.copy does
        clone = object.__new__(cls)
        clone.__dict__ = self.__dict__.copy()
        return clone

    Slot.__copy__ = __copy__  # type: ignore[attr-defined]


def install_shared_past_states() -> None:
    """Domain.states_for_tracker_history from one replay per tracker, events and slot option;
    the rest of it (hiding rule-only turns) is Rasa's own loop, run on copies of the replay."""
    from rasa.shared.core.constants import PREVIOUS_ACTION
    from rasa.shared.core.domain import Domain

    stock = Domain.states_for_tracker_history

    def states_for_tracker_history(self: Any, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[str, Any]] = None) -> List[Any]:
        states: List[Any] = []
        last_ml_action = None
        turn_was_hidden = False
        for turn in replayed_turns(self, tracker, omit_unset_slots):
            if ignore_rule_only_turns:
                if not turn_was_hidden:  # the last action an ML policy saw
                    last_ml_action = None if turn.prev_action is None else dict(turn.prev_action)
                if not turn.followup_action and not turn.latest_action_name == turn.active_loop:
                    turn_was_hidden = turn.hide_rule_turn
                if turn_was_hidden:
                    continue
            state = {part: dict(values) for part, values in turn.state.items()}
            if ignore_rule_only_turns:
                self._remove_rule_only_features(state, rule_only_data)
                if states:
                    self._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action:
                    state[PREVIOUS_ACTION] = last_ml_action
            states.append(self._clean_state(state))
        return states

    states_for_tracker_history.__wrapped__ = stock  # type: ignore[attr-defined]
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[assignment]


@dataclass(frozen=True)
class ReplayedTurn:
    """What Domain.states_for_tracker_history reads of the tracker before one action."""

    state: Dict[str, Dict[str, Any]]  # Domain.get_active_state
    prev_action: Optional[Dict[str, Any]]
    followup_action: Optional[str]
    latest_action_name: Optional[str]
    active_loop: Optional[str]
    hide_rule_turn: bool


def replayed_turns(domain: Any, tracker: Any, omit_unset_slots: bool) -> Tuple[ReplayedTurn, ...]:
    """The tracker's session replayed (generate_all_prior_trackers), kept on the tracker for
    its current events: the policies of one prediction all ask about the same tracker."""
    events = tracker.events
    key = (len(events), id(events[-1]) if events else None)
    replays = tracker.__dict__.setdefault("_replayed_turns", {})  # slot option -> replay
    kept = replays.get(omit_unset_slots)
    if kept is None or kept[0] is not domain or kept[1] != key:
        turns = tuple(
            ReplayedTurn(domain.get_active_state(prior, omit_unset_slots=omit_unset_slots),
                         domain._get_prev_action_sub_state(prior), prior.followup_action,
                         prior.latest_action_name, prior.active_loop_name, hide_rule_turn)
            for prior, hide_rule_turn in tracker.generate_all_prior_trackers())
        kept = replays[omit_unset_slots] = (domain, key, turns)
    return kept[2]


def install_fast_sparse_joins() -> None:
    """Features._combine_sparse_features joining two COO matrices without scipy's bmat."""
    from rasa.shared.nlu.training_data.features import Features
    from scipy.sparse import coo_matrix

    stock = Features._combine_sparse_features

    def _combine_sparse_features(self: Any, additional_features: Any) -> None:
        left, right = self.features, additional_features.features
        if (type(left) is not coo_matrix or type(right) is not coo_matrix
                or left.shape[0] != right.shape[0]):
            return stock(self, additional_features)  # other formats; its error for a mismatch
        self.features = side_by_side(left, right)
        self._cached_fingerprint = None

    _combine_sparse_features.__wrapped__ = stock  # type: ignore[attr-defined]
    Features._combine_sparse_features = _combine_sparse_features  # type: ignore[assignment]


def side_by_side(left: Any, right: Any) -> Any:
    """scipy.sparse.hstack([left, right]) for two COO matrices with as many rows."""
    import numpy as np
    from scipy.sparse import coo_matrix

    shape = (left.shape[0], left.shape[1] + right.shape[1])
    index = np.int32 if max(shape) <= np.iinfo(np.int32).max else np.int64  # as scipy picks
    data = np.concatenate([left.data, right.data]).astype(np.result_type(left.dtype, right.dtype),
                                                          copy=False)
    rows = np.concatenate([left.row, right.row]).astype(index, copy=False)
    columns = np.concatenate([left.col, right.col.astype(index) + left.shape[1]]).astype(
        index, copy=False)
    return coo_matrix((data, (rows, columns)), shape=shape)


def install_startup_freeze() -> None:
    """Freeze what the server holds once it has started (bot.startup_freeze), on the app
    rasa.core.run.configure_app builds."""
    import rasa.core.run

    from bot.startup_freeze import freeze_after_start

    configure_app = rasa.core.run.configure_app

    def configure_and_freeze(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        freeze_after_start(app)
        return app

    rasa.core.run.configure_app = configure_and_freeze


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
    install_fast_json_bodies()
    install_fast_slot_copies()
    install_startup_freeze()
    install_shared_past_states()
    install_fast_sparse_joins()
    from rasa.__main__ import main as rasa_main

    served = watch_rasa_server() if watches_serving(sys.argv, dict(os.environ)) else None
    rasa_main()  # reads sys.argv[1:] ("run", "--enable-api", ...) like `python -m rasa`
    if served is not None:
        from bot.serving import exit_unless_served

        exit_unless_served(served, "The Rasa server", server_port(sys.argv))


if __name__ == "__main__":
    main()
