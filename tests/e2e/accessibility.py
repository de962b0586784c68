"""axe-core (through axe-playwright-python) over a page as it is shown: the serious and critical
violations, each with the elements it found, so a failure says what to fix."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """One line per serious or critical axe violation on the page: rule, impact and the first nodes."""
    # Colours are measured as shown: let fades and slides end first (a half-faded text is half its contrast).
    page.evaluate("() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null)))")
    results = _axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [_described(node) for node in violation["nodes"][:4]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def _described(node: dict) -> str:
    """Where (selector and the start of its HTML) and why (axe's message, e.g. the two colours)."""
    why = "; ".join(check["message"] for check in node.get("any", []) + node.get("all", []) if check.get("message"))
    return f"{' '.join(map(str, node['target']))} {node['html'][:100]} — {why}"


def assert_accessible(page, where: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"{where}: " + "\n".join(violations)
