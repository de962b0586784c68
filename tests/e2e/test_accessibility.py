"""No serious or critical axe-core violations on the pages each role uses, in light and dark mode, on a
phone: names for every control, contrast, valid ARIA, labels, landmarks. The pages are shown with
real data (the demo city, an application of 李娜's accepted and approved) so lists are not empty."""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .one_thing import (
    FOOD_LICENCE_ITEM,
    accepted_restaurant,
    act_for_the_restaurant,
    log_in_as_li_na,
    log_in_as_staff,
    staff,
    sub_of,
)
from .serving import demo_city, serving_city

GUEST_PAGES = [
    "/",
    "/services",
    "/services?tab=items",
    "/services/bundles/open-restaurant",
    "/services/bundles/newborn",
    f"/services/items/{FOOD_LICENCE_ITEM}",
    "/login",
    "/staff-login",
    "/halls/zz-smzx/screen",
]


@pytest.fixture(scope="module")
def city(pwa_dist, tmp_path_factory):
    """A demo city of this module's own: 李娜's application here must not be carried over (沿用上次的申请)
    into the forms other modules fill in for her."""
    app = demo_city(pwa_dist, tmp_path_factory, "e2e-a11y-city")
    with serving_city(app) as base_url:
        yield app, base_url


@pytest.fixture(scope="module")
def demo_app(city):
    return city[0]


@pytest.fixture(scope="module")
def demo_server(city):
    return city[1]


@pytest.fixture(scope="module")
def restaurant(demo_app):
    """李娜's 开办餐饮店: accepted at the window, its food licence approved."""
    application = accepted_restaurant(demo_app)
    licence = sub_of(application, FOOD_LICENCE_ITEM)
    decision = f"/review/sub-applications/{licence['id']}/decision"
    staff(demo_app, "approver-scjg").call("POST", decision, json={"action": "approve"})
    return application


def visit(page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")


def check_light_and_dark(page, where: str) -> None:
    """The page as it is, then with the phone switched to dark mode (the app follows it live)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        expect(page.locator("html")).to_have_class(re.compile(rf"\bvan-theme-{scheme}\b"))
        assert_accessible(page, f"{where} ({scheme})")
    page.emulate_media(color_scheme="light")


def test_the_public_pages_have_no_serious_accessibility_violations(page, demo_server):
    for path in GUEST_PAGES:
        visit(page, demo_server, path)
        check_light_and_dark(page, path)


def test_a_resident_s_pages_have_no_serious_accessibility_violations(page, demo_server, demo_app, restaurant):
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    for path in [
        "/me",
        "/me/applications",
        f"/me/applications/{restaurant['id']}",
        "/me/messages",
        "/me/certificates",
        "/me/appointments",
        "/services/appointments",
        "/me/real-name",
        "/me/sessions",
        "/me/data-use",
        "/me/business",
        "/me/correction-requests",
    ]:
        visit(page, demo_server, path)
        check_light_and_dark(page, path)


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("clerk01", ["/staff", "/staff/clerk", "/staff/walk-in", "/staff/check-in", "/staff/hall-mail", "/staff/queue"]),
        ("approver-scjg", ["/staff/review", "/staff/corrections"]),
        ("courier01", ["/staff/courier"]),
    ],
)
def test_the_staff_pages_have_no_serious_accessibility_violations(page, demo_server, restaurant, username, paths):
    log_in_as_staff(page, demo_server, username, paths[0])
    for path in paths:
        visit(page, demo_server, path)
        check_light_and_dark(page, f"{path} as {username}")
    if username == "clerk01":
        visit(page, demo_server, f"/staff/clerk/{restaurant['id']}")
        check_light_and_dark(page, "the clerk's application page")
