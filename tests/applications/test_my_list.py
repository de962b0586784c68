"""My applications list: each row says what the fee stands at, so the list can flag 待缴费 without opening it."""

from __future__ import annotations

from tests.applications.conftest import ok, start, submitted


def test_the_list_carries_each_application_s_fee_state_and_a_draft_none(restaurateur):
    applicant = restaurateur()
    sent = submitted(applicant, bundle="open-restaurant")
    draft = start(applicant, bundle="open-restaurant")
    rows = {row["id"]: row for row in ok(applicant.get("/applications"))}
    assert rows[sent["id"]]["fee"] == {"amount_fen": 0, "state": "not_required"}
    assert rows[draft["id"]]["fee"] is None
