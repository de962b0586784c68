"""Browser fixtures: the real Flask app serving the built PWA, driven by Debian's headless Chromium.

The PWA is not built here: tests run against whatever `npm --prefix pwa run build` left in pwa/dist.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .serving import demo_city, make_app, serving, serving_city

PWA_DIST = Path(__file__).resolve().parents[2] / "pwa" / "dist"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def pwa_dist():
    """The built PWA; the tests never build it themselves."""
    if not (PWA_DIST / "index.html").is_file():
        pytest.fail(
            "pwa/dist/index.html is missing: build the PWA first with `npm --prefix pwa ci && npm --prefix pwa run build`",
            pytrace=False,
        )
    return PWA_DIST


@pytest.fixture(scope="session")
def live_app(pwa_dist, tmp_path_factory):
    """The real app behind `live_server`, with a fresh embedded database."""
    return make_app(tmp_path_factory.mktemp("e2e") / "var", pwa_dist)


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the real app serving pwa/dist."""
    with serving(live_app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def demo_app(pwa_dist, tmp_path_factory):
    """A second real app holding the demo city (`seed-demo`: people, companies, staff, catalogue,
    certificates). Kept apart from `live_app`: the demo staff's phones (13900000001…) are numbers
    that identity.new_phone() hands out to new residents there."""
    return demo_city(pwa_dist, tmp_path_factory, "e2e-demo")


@pytest.fixture(scope="session")
def demo_server(demo_app):
    """Base URL of the demo app; verification links in QR codes point at it."""
    with serving_city(demo_app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def own_demo_app(pwa_dist, tmp_path_factory):
    """A third demo city, for the tests that leave 李娜 with drafts or submitted applications (offline
    drafts, push): in `demo_app` her next form would carry their values over (沿用上次的申请)."""
    return demo_city(pwa_dist, tmp_path_factory, "e2e-own-city")


@pytest.fixture(scope="session")
def own_demo_server(own_demo_app):
    with serving_city(own_demo_app) as base_url:
        yield base_url


@pytest.fixture
def store(live_app):
    """The live server's store, for what a person would get by SMS and for registry records."""
    return live_app.extensions["store"]


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_options():
    """Override in a test module (or parametrize) to change the emulated phone."""
    return {}


@pytest.fixture
def page(browser, browser_context_options):
    """A page in a fresh context (no cookies, caches or service workers) on a phone-sized screen."""
    context = browser.new_context(locale="zh-CN", **PHONE, **browser_context_options)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def second_page(browser):
    """Another person's phone beside `page` (its own context: its own login)."""
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    yield page
    context.close()
