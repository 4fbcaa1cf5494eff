"""To predict the next action, RulePolicy and MemoizationPolicy each turn the whole tracker
into its past states, replaying every event of the session (RulePolicy up to twice, and the
two policies ask for different views: with and without rule-only turns): 8% of the server's
CPU with two-report conversations, growing with their length. They get the same tracker
object in one prediction, so the tracker keeps its replay (the state before each action, for
its current events) and each view is made from copies of it by Rasa's own loop, since the
featurizers edit the last state in place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple


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
