"""components.rasa_fixes' fixes to Rasa's dialogue and NLU machinery: slot copies (fix 6), one
replay of the tracker for the policies' past states (fix 8), and sparse feature joins (fix
9). Each is compared with what stock Rasa and scipy compute."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.rasa_fixes import past_states, slot_copies, sparse_joins

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fast_slot_copies(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.core.slots import Slot

    # Stock Slot has no __copy__: monkeypatch notes that and deletes it again afterwards.
    monkeypatch.setattr(Slot, "__copy__", None, raising=False)
    slot_copies.install_fast_slot_copies()


def every_kind_of_slot() -> List[Any]:
    from rasa.shared.core.slots import (AnySlot, BooleanSlot, CategoricalSlot, FloatSlot,
                                        ListSlot, TextSlot)

    mappings = [{"type": "custom"}]
    slots = [TextSlot("t", mappings, initial_value="x"), BooleanSlot("b", mappings),
             FloatSlot("f", mappings, max_value=5.0), ListSlot("l", mappings),
             CategoricalSlot("c", mappings, values=["en", "es"]), AnySlot("a", mappings)]
    for slot, value in zip(slots, ["hello", True, 2.5, ["p1"], "es", {"k": 1}]):
        slot.value = value
    return slots


def test_a_slot_copy_is_the_shallow_copy_copy_would_make(fast_slot_copies,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import copy

    slow = []
    reconstruct = copy._reconstruct  # type: ignore[attr-defined]
    monkeypatch.setattr(copy, "_reconstruct", lambda *a, **k: slow.append(a) or reconstruct(*a, **k))
    for slot in every_kind_of_slot():
        clone = copy.copy(slot)
        assert type(clone) is type(slot) and clone is not slot
        assert clone.__dict__ == slot.__dict__ and clone.mappings is slot.mappings  # shallow
        clone.value = None
        assert slot.value is not None  # the original keeps its value
    assert slow == []  # none went the __reduce_ex__ way


def test_a_slot_class_that_customises_pickling_is_copied_its_own_way(fast_slot_copies) -> None:  # type: ignore[no-untyped-def]
    import copy

    from rasa.shared.core.slots import TextSlot

    class CountedSlot(TextSlot):
        def __getstate__(self) -> dict:
            return {**self.__dict__, "copied": True}

    clone = copy.copy(CountedSlot("n", [{"type": "custom"}]))
    assert clone.copied is True  # type: ignore[attr-defined]


def test_trackers_built_from_a_domain_keep_their_slots_apart(fast_slot_copies) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    slots = every_kind_of_slot()
    first = DialogueStateTracker.from_events("a", [SlotSet("t", "first")], slots)
    second = DialogueStateTracker.from_events("b", [], slots)
    assert first.get_slot("t") == "first" and second.get_slot("t") == "x"  # its initial value
    assert slots[0].value == "hello"  # the domain's own slot is untouched



@pytest.fixture
def shared_past_states(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Rasa's own states_for_tracker_history, with the shared replay installed in its place."""
    from rasa.shared.core.domain import Domain

    stock = Domain.states_for_tracker_history
    monkeypatch.setattr(Domain, "states_for_tracker_history", stock)  # restored afterwards
    past_states.install_shared_past_states()
    return lambda tracker, domain, **arguments: stock(domain, tracker, **arguments)


def report_conversation() -> List[Any]:
    """A session with rule-only turns, a follow-up action, a form and slots: what the
    policies replay."""
    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered,
                                         FollowupAction, SessionStarted, SlotSet, UserUttered)

    def said(text: str, intent: str, entities: Any = ()) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 0.9}, list(entities))

    return [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("language", "en"),
            ActionExecuted("action_listen"), said("hi", "greet"),
            ActionExecuted("utter_greet", hide_rule_turn=True),  # a rule-only turn
            BotUttered("Hello"), ActionExecuted("action_listen", hide_rule_turn=True),
            said("thanks", "thank"), FollowupAction("utter_noworries"),
            ActionExecuted("utter_noworries", hide_rule_turn=True),
            ActionExecuted("action_listen", hide_rule_turn=True),
            said("there is a pothole", "report_problem",
                 [{"entity": "category", "value": "pothole", "start": 11, "end": 18}]),
            SlotSet("category", "pothole"), ActionExecuted("report_form"),
            ActiveLoop("report_form"), SlotSet("requested_slot", "location"),
            ActionExecuted("action_listen"), said("Elm Street 12", "inform"),
            SlotSet("location", "Elm Street 12"), ActionExecuted("report_form"),
            SlotSet("requested_slot", "description"), ActionExecuted("action_listen"),
            said("what are your opening hours?", "ask_policy")]


RULE_ONLY = {"rule_only_slots": ["handoff_offered"], "rule_only_loops": ["report_form"]}
VIEWS = ({}, {"omit_unset_slots": True}, {"ignore_rule_only_turns": True},
         {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY})


def test_past_states_are_the_stock_ones_for_every_prefix_and_view(shared_past_states) -> None:  # type: ignore[no-untyped-def]
    """One tracker grows event by event, as in a turn; after each event every view (in turn,
    and the same view again) equals what stock Rasa computes."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    for order in (VIEWS, VIEWS[::-1]):
        for view in order:  # the same view at every step: a stale replay would show
            tracker = DialogueStateTracker.from_events("citizen", [], domain.slots)
            for event in report_conversation():
                tracker.update(event, domain)
                expected = shared_past_states(tracker, domain, **view)
                assert tracker.past_states(domain, **view) == expected
                for other in order:  # every view from the same replay
                    assert tracker.past_states(domain, **other) == shared_past_states(
                        tracker, domain, **other)


def test_one_replay_serves_every_view_and_each_caller_gets_its_own_states(
        shared_past_states, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker.from_events("citizen", report_conversation(), domain.slots)
    expected = [shared_past_states(tracker, domain, **view) for view in VIEWS]
    replays = []
    stock_replay = DialogueStateTracker.generate_all_prior_trackers
    monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers",
                        lambda self: replays.append(1) or stock_replay(self))
    for view, states in zip(VIEWS, expected):
        got = tracker.past_states(domain, **view)
        assert got == states
        got[-1]["user"].clear()  # what a featurizer does to the last state
        got[-2]["prev_action"].clear()
    assert [tracker.past_states(domain, **view) for view in VIEWS] == expected
    assert len(replays) == 2  # one with unset slots, one without; both policies use the first


SPARSE = st.tuples(st.integers(1, 4), st.integers(0, 40), st.integers(0, 40),
                   st.sampled_from(["float32", "float64"]), st.sampled_from(["float32", "float64"]),
                   st.floats(0.0, 1.0), st.integers(0, 2 ** 16))


@settings(max_examples=200, deadline=None)
@given(case=SPARSE)
def test_sparse_features_side_by_side_are_what_hstack_makes(case: Any) -> None:
    import numpy as np
    from scipy.sparse import hstack, random

    rows, left_width, right_width, left_type, right_type, density, seed = case
    left = random(rows, left_width, density=density, format="coo", dtype=left_type,
                  random_state=seed)
    right = random(rows, right_width, density=density, format="coo", dtype=right_type,
                   random_state=seed + 1)
    expected, got = hstack([left, right]), sparse_joins.side_by_side(left, right)
    assert got.format == expected.format == "coo" and got.shape == expected.shape
    for part in ("data", "row", "col"):
        assert getattr(got, part).dtype == getattr(expected, part).dtype
        assert np.array_equal(getattr(got, part), getattr(expected, part))


@pytest.fixture
def fast_sparse_joins(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.nlu.training_data.features import Features

    monkeypatch.setattr(Features, "_combine_sparse_features",  # restored afterwards
                        Features._combine_sparse_features)
    sparse_joins.install_fast_sparse_joins()


def test_features_of_other_formats_or_row_counts_are_joined_the_stock_way(fast_sparse_joins) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from rasa.shared.nlu.training_data.features import Features
    from scipy.sparse import coo_matrix, csr_matrix

    def features(matrix: Any) -> Features:
        return Features(matrix, "sequence", "text", "CountVectorsFeaturizer")

    joined = features(csr_matrix(np.eye(2)))
    joined.combine_with_features(features(coo_matrix(np.ones((2, 3)))))
    assert joined.features.shape == (2, 5)
    assert np.array_equal(joined.features.toarray(), np.hstack([np.eye(2), np.ones((2, 3))]))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        features(coo_matrix(np.eye(2))).combine_with_features(features(coo_matrix(np.eye(3))))


