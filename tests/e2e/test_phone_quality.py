"""Phone-first: the citizen pages fit a 360×640 screen with nothing sideways, primary actions are large
enough to tap, and the app follows the system's dark mode and reduced-motion settings."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import act_for_the_restaurant, log_in_as_li_na, screenshot

SMALL_PHONE = {"width": 360, "height": 640}

# The citizen's main pages, each with something on it that says it has loaded.
CITIZEN_PAGES = [
    ("/", "home", lambda page: page.get_by_role("region", name="一件事 一次办").get_by_role("link").first),
    ("/services", "services", lambda page: page.get_by_role("link", name=re.compile("一件事")).first),
    ("/services/bundles/open-restaurant", "bundle-guide", lambda page: page.get_by_role("button", name="开始办理")),
    ("/me", "me", lambda page: page.get_by_role("heading", level=2, name="李娜")),
    ("/me/applications", "my-applications", lambda page: page.get_by_role("heading", level=1, name="我的办件")),
    ("/me/messages", "inbox", lambda page: page.get_by_role("heading", level=1, name="消息")),
    ("/me/certificates", "certificates", lambda page: page.get_by_role("heading", level=1, name="证照夹")),
]

WIDEST = "document.scrollingElement.scrollWidth"


def test_the_citizen_pages_fit_a_360_pixel_phone_and_their_primary_actions_are_large(page, demo_server, demo_app):
    page.set_viewport_size(SMALL_PHONE)
    page.goto(demo_server + "/login")
    for name in ("获取验证码", "登录"):
        assert page.get_by_role("button", name=name, exact=True).bounding_box()["height"] >= 44, name
    assert page.evaluate(WIDEST) <= 360
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])

    for path, name, loaded in CITIZEN_PAGES:
        page.goto(demo_server + path)
        expect(loaded(page)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(WIDEST) <= 360, f"{path} is {page.evaluate(WIDEST)}px wide"
        screenshot(page, f"phone-360-{name}")

    page.goto(demo_server + "/services/bundles/open-restaurant")
    start = page.get_by_role("button", name="开始办理")
    assert start.bounding_box()["height"] >= 44
    for tab in page.get_by_role("navigation", name="主导航").get_by_role("tab").all():
        box = tab.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 44, box


def test_dark_mode_and_reduced_motion_follow_the_system(page, demo_server):
    page.set_viewport_size(SMALL_PHONE)
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    page.goto(demo_server + "/services/bundles/open-restaurant")
    expect(page.get_by_role("button", name="开始办理")).to_be_visible()

    expect(page.locator("html")).to_have_class(re.compile(r"\bvan-theme-dark\b"))
    colours = page.evaluate("""() => {
      const body = getComputedStyle(document.body)
      const scheme = getComputedStyle(document.documentElement).colorScheme
      return { background: body.backgroundColor, text: body.color, scheme }
    }""")
    assert colours["scheme"] == "dark"
    background = [int(v) for v in re.findall(r"\d+", colours["background"])[:3]]
    text = [int(v) for v in re.findall(r"\d+", colours["text"])[:3]]
    assert max(background) < 60 and min(text) > 180, colours  # light text on a dark page

    durations = page.evaluate("""() => [...document.querySelectorAll('.van-button, .van-tabbar-item, .van-cell, .van-nav-bar')]
      .flatMap((el) => [getComputedStyle(el).transitionDuration, getComputedStyle(el).animationDuration])""")
    assert durations and set(",".join(durations).replace(" ", "").split(",")) == {"0s"}, durations
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    screenshot(page, "phone-dark-reduced-motion")

    # Back to the light setting, live: the theme follows without a reload.
    page.emulate_media(color_scheme="light", reduced_motion="no-preference")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bvan-theme-dark\b"))
    assert page.evaluate("getComputedStyle(document.querySelector('.van-button')).transitionDuration") != "0s"
