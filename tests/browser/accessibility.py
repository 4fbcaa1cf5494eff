"""The axe-core check the browser tests run on each page state: nothing serious or critical,
and every violation (minor ones too) listed in the failure message."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

if TYPE_CHECKING:
    from playwright.sync_api import Page

FAILING_IMPACTS = ("serious", "critical")


def describe(violations: List[Dict]) -> str:
    """Every violation with its impact, rule, help link and offending elements."""
    lines = [f"{len(violations)} axe-core violation(s):"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_no_serious_violations(page: "Page", state: str) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{state}: {describe(violations)}"
