"""数据看板: after 李娜's restaurant is handed over at the hall, the public dashboard draws its charts (SVG with a
real size) and shows the same figures as the API, on a phone, in light and dark mode."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .one_thing import BUNDLE, PDF, SHOP, li_na, on_phone, screenshot, staff

APPROVERS = {"scjg": "approver-scjg", "cgj": "approver-cgj", "xfjy": "approver-xfjy"}
CHARTS = ("chart-departments", "chart-trips", "chart-months", "chart-handling", "chart-satisfaction", "chart-four-ways")


def _restaurant_handed_over(app) -> dict:
    """李娜's 开办餐饮店 with pickup at the hall: accepted, approved by every department, handed over (completed)."""
    applicant = li_na(app)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": BUNDLE})
    draft = applicant.call("PATCH", f"/applications/{draft['id']}", json={"values": SHOP, "version": draft["version"]})
    for material in draft["materials"]:
        base = f"/applications/{draft['id']}/materials/{material['code']}"
        if material["source"] == "form":
            draft = applicant.call("POST", f"{base}/declaration", json={"version": draft["version"]})
        elif material["source"] == "upload":
            form = {"version": str(draft["version"]), "file": (io.BytesIO(PDF), "plan.pdf")}
            draft = applicant.call("POST", f"{base}/upload", data=form, content_type="multipart/form-data")
    delivery = {"method": "pickup", "hall": "zz-smzx"}
    sent = applicant.call("POST", f"/applications/{draft['id']}/submit", json={"version": draft["version"], "delivery": delivery})
    clerk = staff(app, "clerk01")
    accepted = clerk.call("POST", f"/clerk/applications/{sent['id']}/accept")
    for sub in accepted["subs"]:
        if sub["state"] == "in_review":
            approver = staff(app, APPROVERS[sub["department"]])
            approver.call("POST", f"/review/sub-applications/{sub['id']}/decision", json={"action": "approve"})
    return clerk.call("POST", f"/clerk/applications/{sent['id']}/hand-over")


LIGHT = {"color_scheme": "light"}
DARK = {"color_scheme": "dark", "reduced_motion": "reduce"}


@pytest.mark.parametrize("browser_context_options", [LIGHT, DARK], ids=["light", "dark"])
def test_the_dashboard_draws_its_charts_with_the_figures_of_the_api(page, demo_server, demo_app, browser_context_options):
    overview = demo_app.test_client().get("/api/v1/stats/overview").get_json()
    if not overview["completed"]:
        assert _restaurant_handed_over(demo_app)["state"] == "completed"
        overview = demo_app.test_client().get("/api/v1/stats/overview").get_json()
    assert overview["applications"] >= 1 and overview["completed"] >= 1

    page.goto(demo_server + "/")
    page.get_by_role("link", name="最多跑一次 数据看板").click()
    expect(page.get_by_role("heading", level=2, name="最多跑一次 数据看板")).to_be_visible()

    figures = page.locator("[data-test=figures]")
    expect(figures.locator("[data-test=applications]")).to_have_text(str(overview["applications"]))
    share = f"{round(overview['at_most_one_trip_share'] * 1000) / 10:g}%"
    expect(figures.locator("[data-test=at-most-one-trip-share]")).to_have_text(share)
    expect(page.get_by_role("heading", name="“四办”事项（共 24 项）")).to_be_visible()
    for name in CHARTS:
        chart = page.locator(f"[data-test={name}] svg").first
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, (name, box)
        expect(page.locator(f"[data-test={name}] svg path").first).to_be_attached()  # something is drawn
    expect(page.locator("[data-test=chart-four-ways] svg")).to_contain_text("马上办")
    label = page.locator("[data-test=chart-four-ways] svg text", has_text="马上办").first
    red, green, blue = map(int, re.findall(r"\d+", label.evaluate("text => getComputedStyle(text).fill"))[:3])
    light_text = min(red, green, blue) > 128
    assert light_text == (browser_context_options["color_scheme"] == "dark")  # the charts follow the colour scheme
    on_phone(page)
    assert_accessible(page, f"/stats ({browser_context_options['color_scheme']})")
    screenshot(page, f"stats-dashboard-{browser_context_options['color_scheme']}")


def test_the_chart_library_loads_with_the_dashboard_only(page, demo_server, pwa_dist):
    assert "charts-" not in (pwa_dist / "index.html").read_text(encoding="utf-8")  # not preloaded by the first page
    assert "charts-" not in (pwa_dist / "sw.js").read_text(encoding="utf-8")  # nor precached for every phone
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(demo_server + "/")
    expect(page.get_by_role("link", name="最多跑一次 数据看板")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if "/assets/charts-" in url]

    page.get_by_role("link", name="最多跑一次 数据看板").click()
    expect(page.locator("[data-test=chart-four-ways] svg")).to_be_visible()
    assert [url for url in requested if "/assets/charts-" in url]
