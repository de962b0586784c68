"""Application numbers are 6 random digits a day: a number drawn twice is drawn again, never a 500."""

from __future__ import annotations

import itertools

from api.applications import service

from .conftest import ok


def test_a_draft_whose_number_was_already_drawn_today_gets_another(resident, monkeypatch):
    applicant = resident()
    draws = itertools.chain([123456, 123456, 123456], itertools.count(500000))
    monkeypatch.setattr(service.secrets, "randbelow", lambda _: next(draws))

    first = ok(applicant.post("/applications", json={"item": "430200-SCJG-003"}), 201)
    second = ok(applicant.post("/applications", json={"item": "430200-SCJG-003"}), 201)

    assert first["number"].endswith("123456")
    assert second["number"].endswith("500000")  # the second and third draws collided, the fourth is free
    assert len(ok(applicant.get("/applications"))) == 2
