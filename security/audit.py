"""The dependency audit run by `make audit` (and so by `make test`): pip-audit and npm audit.

    python -m security.audit [--require-service]

Two advisory services are asked: PyPI's vulnerability data (pip-audit, over the installed .venv,
which `make install` builds from the exactly pinned requirements*.txt) and the npm registry's
bulk advisory endpoint (npm audit over pwa/package-lock.json, with and without dev dependencies).
Any advisory not in security/audit-allowlist.toml fails the audit; an allow-list entry not
reviewed for 180 days fails it too.

When an advisory service cannot be reached (a machine whose package mirror serves packages but not
advisories, as the development and CI machines of this project do today) the audit cannot run: it
says so loudly ("NOT AUDITED") and passes, unless --require-service is given. The checks that need
no service always run: every requirement pinned with ==, `pip check`, and `npm ls` over the lock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = Path(__file__).with_name("audit-allowlist.toml")
REVIEW_EVERY_DAYS = 180
BIN = Path(sys.executable).parent


@dataclass
class Outcome:
    """What one audit found: advisories by id → package, their other ids, or why it could not run."""

    name: str
    advisories: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    unavailable: str | None = None


def load_allowlist(path: Path = ALLOWLIST, today: dt.date | None = None) -> tuple[set[str], list[str]]:
    """(allowed advisory ids, problems): an entry without a reason or reviewed too long ago is a problem."""
    today = today or dt.date.today()
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("ignore", [])
    allowed, problems = set(), []
    for entry in entries:
        ident = entry.get("id", "?")
        reviewed = entry.get("reviewed")
        if not entry.get("reason") or not isinstance(reviewed, dt.date):
            problems.append(f"{ident}: an allow-list entry needs a reason and a reviewed date")
        elif (today - reviewed).days > REVIEW_EVERY_DAYS:
            problems.append(f"{ident}: reviewed {reviewed}, more than {REVIEW_EVERY_DAYS} days ago: review it again")
        else:
            allowed.add(ident)
    return allowed, problems


def parse_pip_audit(report: dict) -> Outcome:
    outcome = Outcome("pip-audit")
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if not dependencies or len(skipped) == len(dependencies):
        reason = skipped[0]["skip_reason"] if skipped else "no dependency was audited"
        outcome.unavailable = f"PyPI's vulnerability data did not answer for any package ({reason})"
        return outcome
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            outcome.advisories[vuln["id"]] = f"{dependency['name']} {dependency.get('version', '')}".strip()
            outcome.aliases[vuln["id"]] = set(vuln.get("aliases", []))
    return outcome


def parse_npm_audit(report: dict, name: str) -> Outcome:
    outcome = Outcome(name)
    if "vulnerabilities" not in report:
        outcome.unavailable = f"the npm advisory endpoint answered {report.get('statusCode', '')} {report.get('message', '')}"
        return outcome
    for package, entry in report["vulnerabilities"].items():
        for via in entry.get("via", []):
            if isinstance(via, dict):  # a string names another package that carries the advisory
                ident = re.sub(r"^.*/advisories/", "", via.get("url", "")) or str(via.get("source"))
                outcome.advisories[ident] = package
    return outcome


def _run(command: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _json(text: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {}


def run_pip_audit() -> Outcome:
    done = _run([str(BIN / "pip-audit"), "--progress-spinner", "off", "--format", "json"])
    outcome = parse_pip_audit(_json(done.stdout))
    if outcome.unavailable and done.returncode not in (0, 1):
        outcome.unavailable = (done.stderr.strip().splitlines() or ["pip-audit failed"])[-1][:300]
    return outcome


def run_npm_audit(omit_dev: bool) -> Outcome:
    command = ["npm", "--prefix", "pwa", "audit", "--json"] + (["--omit=dev"] if omit_dev else [])
    return parse_npm_audit(_json(_run(command).stdout), "npm audit" + (" --omit=dev" if omit_dev else ""))


def offline_checks() -> list[str]:
    """What needs no advisory service: exact pins, a consistent venv, a lock that matches node_modules."""
    problems = []
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r") and "==" not in line:
                problems.append(f"{requirements}: {line!r} is not pinned with ==")
    check = _run([str(BIN / "python"), "-m", "pip", "check"])
    if check.returncode != 0:
        problems.append("pip check: " + check.stdout.strip().replace("\n", "; "))
    tree = _run(["npm", "--prefix", "pwa", "ls", "--all", "--omit=dev"])
    if tree.returncode != 0:
        problems.append("npm ls: " + (tree.stderr.strip().splitlines() or ["failed"])[0])
    return problems


def judge(outcomes: list[Outcome], allowed: set[str], problems: list[str], require_service: bool) -> tuple[int, list[str]]:
    lines, failed, seen = [], bool(problems), set()
    lines += [f"FAIL {problem}" for problem in problems]
    for outcome in outcomes:
        if outcome.unavailable:
            failed |= require_service
            lines.append(f"NOT AUDITED ({outcome.name}): {outcome.unavailable}")
            continue
        seen |= set(outcome.advisories).union(*outcome.aliases.values())
        refused = {
            i: p for i, p in outcome.advisories.items() if not allowed & ({i} | outcome.aliases.get(i, set()))
        }  # allowing a CVE allows the PYSEC/GHSA record that names it as an alias
        failed |= bool(refused)
        lines += [f"FAIL {outcome.name}: {ident} in {package}" for ident, package in sorted(refused.items())]
        if not refused:
            lines.append(f"ok {outcome.name}: no advisory outside the allow-list")
    if all(not o.unavailable for o in outcomes):
        lines += [f"stale allow-list entry (advisory no longer reported): {i}" for i in sorted(allowed - seen)]
    return (1 if failed else 0), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-service", action="store_true", help="fail when an advisory service cannot be reached")
    args = parser.parse_args(argv)
    allowed, problems = load_allowlist()
    problems += offline_checks()
    outcomes = [run_pip_audit(), run_npm_audit(omit_dev=True), run_npm_audit(omit_dev=False)]
    status, lines = judge(outcomes, allowed, problems, args.require_service)
    sys.stdout.write("\n".join(lines) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
