"""The app shell: tabs, routing, history fallback, manifest and the service worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .service_worker import wait_until_controlled

TABS = ("首页", "办事", "我的")


def test_the_shell_shows_a_tab_bar_with_home_services_and_me(page, live_server):
    page.goto(live_server + "/")

    tab_bar = page.get_by_role("navigation", name="主导航")
    for name in TABS:
        expect(tab_bar.get_by_role("tab", name=name)).to_be_visible()
    expect(tab_bar.get_by_role("tab", name="首页")).to_have_attribute("aria-selected", "true")


def test_home_shows_the_product_and_that_the_service_is_up(page, live_server):
    page.goto(live_server + "/")

    expect(page.get_by_role("heading", name="一次办")).to_be_visible()
    expect(page.get_by_text("最多跑一次 · 一件事一次办")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("服务正常")


def test_clicking_the_services_tab_goes_to_services(page, live_server):
    page.goto(live_server + "/")

    page.get_by_role("tab", name="办事").click()

    expect(page).to_have_url(live_server + "/services")
    expect(page.get_by_role("heading", level=1)).to_have_text("办事")
    expect(page).to_have_title(re.compile("^办事"))


def test_a_deep_link_to_me_renders_the_me_view(page, live_server):
    response = page.goto(live_server + "/me")

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("我的")
    expect(page.get_by_text("登录 / 实名认证")).to_be_visible()
    expect(page.get_by_role("tab", name="我的")).to_have_attribute("aria-selected", "true")


def test_an_unknown_path_shows_the_not_found_view(page, live_server):
    page.goto(live_server + "/no/such/page")

    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_role("link", name="返回首页").or_(page.get_by_role("button", name="返回首页"))).to_be_visible()


@pytest.mark.parametrize("browser_context_options", [{"color_scheme": "dark"}])
def test_the_shell_follows_the_system_dark_mode(page, live_server):
    page.goto(live_server + "/")

    expect(page.locator("html")).to_have_class(re.compile(r"\bvan-theme-dark\b"))


def test_a_reload_after_the_first_visit_is_controlled_by_the_service_worker(page, live_server):
    wait_until_controlled(page, live_server)

    assert page.evaluate("navigator.serviceWorker.controller !== null")
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()


def test_the_manifest_is_linked_and_names_the_app_with_its_icons(page, live_server):
    page.goto(live_server + "/")
    href = page.locator("link[rel=manifest]").get_attribute("href")

    response = page.request.get(live_server + href)

    assert response.status == 200
    assert "json" in response.headers["content-type"]
    manifest = response.json()
    assert manifest["name"] == "一次办 · 最多跑一次"
    assert manifest["short_name"] == "一次办"
    assert manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone"
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon["src"] for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons.keys()
    for src in icons.values():
        icon = page.request.get(live_server + src)
        assert icon.status == 200
        assert icon.headers["content-type"] == "image/png"


def test_api_responses_are_never_stored_in_the_service_worker_caches(page, live_server):
    wait_until_controlled(page, live_server)

    health = page.evaluate("fetch('/api/v1/health').then((response) => response.json())")
    cached_urls = page.evaluate(
        """async () => {
            const urls = []
            for (const name of await caches.keys()) {
                const cache = await caches.open(name)
                urls.push(...(await cache.keys()).map((request) => request.url))
            }
            return urls
        }"""
    )

    assert health["status"] == "ok"
    assert any("/index.html" in url for url in cached_urls), "the app shell should be precached"
    # Only the public catalogue is cached (stale-while-revalidate, docs/pwa.md): nothing personal.
    assert not [url for url in cached_urls if "/api/" in url and "/api/v1/catalog/" not in url]


def test_navigating_to_an_api_url_reaches_the_server_not_the_app_shell(page, live_server):
    wait_until_controlled(page, live_server)

    response = page.goto(live_server + "/api/v1/health")

    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == "ok"
