"""The action server's view of the package: every action is registered under its contract
name, helpers are not, importing does no work, and the names line up with domain/."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def test_the_domain_lists_every_custom_action(domain: dict) -> None:
    custom = {name for name in domain["actions"]
              if not name.startswith("utter_") and name not in RASA_DEFAULT_ACTIONS}
    assert custom == CONTRACT_ACTIONS


def test_every_response_the_actions_use_is_in_the_domain(domain: dict) -> None:
    used = set()
    for path in (ROOT / "actions").glob("*.py"):
        used |= set(UTTERED.findall(path.read_text(encoding="utf-8")))
    assert used, "no responses found: the pattern is out of date"
    assert sorted(used - set(domain["responses"])) == []


def test_actions_never_use_the_deprecated_template_argument() -> None:
    for path in (ROOT / "actions").glob("*.py"):
        assert "template=" not in path.read_text(encoding="utf-8"), path.name
