"""axe-core (through axe-playwright-python) over a page as it is shown: the serious and critical
violations, each with the elements it found, so a failure says what to fix."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """One line per serious or critical axe violation on the page: rule, impact and the first nodes."""
    results = _axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def assert_accessible(page, where: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"{where}: " + "\n".join(violations)
