"""The dependency audit's judgement, fed reports shaped like pip-audit's and npm audit's JSON."""

import datetime as dt

from security.audit import Outcome, judge, load_allowlist, parse_npm_audit, parse_pip_audit

PIP_REPORT = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "PYSEC-2024-1", "aliases": ["CVE-2024-22195"]}]},
    ]
}
NPM_REPORT = {
    "vulnerabilities": {
        "vite": {"via": [{"source": 1, "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc"}]},
        "vite-plugin-pwa": {"via": ["vite"]},
    }
}


def test_an_advisory_outside_the_allow_list_fails_the_audit_and_names_the_package():
    status, lines = judge([parse_pip_audit(PIP_REPORT)], set(), [], require_service=False)
    assert status == 1
    assert "FAIL pip-audit: PYSEC-2024-1 in jinja2 3.1.2" in lines


def test_an_allowed_advisory_passes_whether_it_is_allowed_by_its_id_or_by_an_alias():
    for allowed in ({"PYSEC-2024-1"}, {"CVE-2024-22195"}):
        status, _ = judge([parse_pip_audit(PIP_REPORT)], allowed, [], require_service=False)
        assert status == 0


def test_npm_advisories_are_read_by_their_ghsa_id_and_packages_that_only_depend_on_them_are_not_counted_twice():
    outcome = parse_npm_audit(NPM_REPORT, "npm audit")
    assert outcome.advisories == {"GHSA-aaaa-bbbb-cccc": "vite"}
    assert judge([outcome], {"GHSA-aaaa-bbbb-cccc"}, [], require_service=False)[0] == 0


def test_an_unreachable_advisory_service_is_reported_as_not_audited_and_fails_only_when_required():
    pip = parse_pip_audit({"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}]})
    npm = parse_npm_audit({"statusCode": 405, "message": "405 Method Not Allowed"}, "npm audit")
    status, lines = judge([pip, npm], set(), [], require_service=False)
    assert status == 0 and all(line.startswith("NOT AUDITED") for line in lines) and len(lines) == 2
    assert judge([pip, npm], set(), [], require_service=True)[0] == 1


def test_an_offline_problem_fails_even_when_no_service_answers():
    unpinned = ["requirements.txt: 'flask' is not pinned with =="]
    status, lines = judge([Outcome("pip-audit", unavailable="down")], set(), unpinned, require_service=False)
    assert status == 1 and lines[0].startswith("FAIL requirements.txt")


def test_an_allow_list_entry_needs_a_reason_and_a_review_within_180_days(tmp_path):
    path = tmp_path / "allow.toml"
    path.write_text(
        '[[ignore]]\nid = "GHSA-1"\nreason = "not reachable"\nreviewed = 2026-01-01\n'
        '[[ignore]]\nid = "GHSA-2"\nreason = "not reachable"\nreviewed = 2025-01-01\n'
        '[[ignore]]\nid = "GHSA-3"\nreviewed = 2026-01-01\n'
    )
    allowed, problems = load_allowlist(path, today=dt.date(2026, 3, 1))
    assert allowed == {"GHSA-1"}
    assert [p.split(":")[0] for p in problems] == ["GHSA-2", "GHSA-3"]


def test_the_committed_allow_list_parses_and_has_no_entry_past_its_review():
    assert load_allowlist()[1] == []
