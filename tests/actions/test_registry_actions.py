"""The action server's view of the package: every action is registered under its contract
name, helpers are not, importing does no work, and the names line up with domain/."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_ACTIONS = {
    "action_export_my_data", "action_delete_my_data",  # issue 9: data rights
    "action_session_start", "action_change_language", "validate_report_form",
    "validate_feedback_form", "action_ask_category", "action_ask_followup",
    "action_ask_confirmed", "action_submit_report", "action_cancel_report",
    "action_check_status", "action_submit_feedback", "action_answer_policy",
    "action_escalate", "action_handle_misunderstanding",
    "action_detect_language",  # issue 4: the language slot's per-message custom mapping
    # issue 5: the fix question after "resolved", and the duplicate offer in report_form
    "action_record_fix_confirmation", "action_record_fix_rating", "action_ask_follow_duplicate",
    # the place question on a street the first message named; "did that answer your question?"
    "action_ask_location", "action_rate_policy_answer",
    # adding words or a photo to a report already made
    "validate_case_note_form", "action_ask_note_case", "action_ask_note_text",
    "action_submit_case_note",
    # a new problem where the note form waited for an answer or a report to add to
    "action_new_problem_instead",
    # another problem described mid-report, reported right after it
    "action_hold_next_problem",
    # a "no" out of context, which may withdraw a report just sent
    "action_acknowledge_no",
}
RASA_DEFAULT_ACTIONS = {"action_listen", "action_restart", "action_deactivate_loop",
                        "action_default_fallback", "action_two_stage_fallback",
                        "action_back", "action_unlikely_intent", "action_extract_slots"}
UTTERED = re.compile(r'response="(utter_[a-z_]+)"')


def registered() -> set:
    executor = ActionExecutor()
    executor.register_package("actions")
    return set(executor.actions)


def test_every_contract_action_and_nothing_else_is_registered() -> None:
    assert registered() == CONTRACT_ACTIONS


def test_importing_the_actions_opens_no_database() -> None:
    code = ("import bot.db, importlib, pkgutil, actions\n"
            "for info in pkgutil.walk_packages(actions.__path__, 'actions.'):\n"
            "    importlib.import_module(info.name)\n"
            "assert bot.db._engines == {}, bot.db._engines\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr


def action_names(domain: dict) -> set:
    """The domain's action names; an action with settings is a one-key mapping."""
    names = set()
    for entry in domain["actions"]:
        names |= set(entry) if isinstance(entry, dict) else {entry}
    return names


def test_the_domain_lists_every_custom_action(domain: dict) -> None:
    custom = {name for name in action_names(domain)
              if not name.startswith("utter_") and name not in RASA_DEFAULT_ACTIONS}
    assert custom == CONTRACT_ACTIONS


@pytest.mark.parametrize("endpoints", ["endpoints.yml", "deploy/endpoints.production.yml"])
def test_rasa_sends_the_domain_only_to_the_actions_that_read_it(endpoints: str,
                                                                domain: dict) -> None:
    """The domain is 65 KB of responses in four languages; every action call carried it.
    The actions' unit tests (factories.run_action) give it only to these, as Rasa does."""
    config = yaml.safe_load((ROOT / endpoints).read_text(encoding="utf-8"))
    assert config["action_endpoint"]["enable_selective_domain"] is True
    receivers = Domain._collect_actions_which_explicitly_need_domain(domain["actions"])
    assert set(receivers) == {"action_session_start", "validate_report_form",
                              "validate_feedback_form", "validate_case_note_form"}


def test_every_response_the_actions_use_is_in_the_domain(domain: dict) -> None:
    used = set()
    for path in (ROOT / "actions").glob("*.py"):
        used |= set(UTTERED.findall(path.read_text(encoding="utf-8")))
    assert used, "no responses found: the pattern is out of date"
    assert sorted(used - set(domain["responses"])) == []


def test_actions_never_use_the_deprecated_template_argument() -> None:
    for path in (ROOT / "actions").glob("*.py"):
        assert "template=" not in path.read_text(encoding="utf-8"), path.name
