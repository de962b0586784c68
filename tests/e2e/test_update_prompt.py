"""A new release of the app waits for the user's consent before it takes over (registerType 'prompt')."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from .service_worker import wait_until_controlled
from .serving import make_app, serving

UPDATE_QUESTION = "有新版本可用，是否刷新？"


@pytest.fixture
def releasable_server(pwa_dist, tmp_path):
    """The app serving its own copy of pwa/dist, so a test can publish a new release into it."""
    dist = tmp_path / "dist"
    shutil.copytree(pwa_dist, dist)
    with serving(make_app(tmp_path / "var", dist)) as base_url:
        yield base_url, dist


def publish_new_release(page, dist):
    """Any byte change to sw.js is a new service worker; ask the page to look for it now."""
    sw = dist / "sw.js"
    sw.write_text(sw.read_text(encoding="utf-8") + "\n// next release\n", encoding="utf-8")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")


def waiting_worker_exists(page) -> bool:
    return page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")


def test_a_new_release_asks_before_reloading_and_reloads_on_consent(page, releasable_server):
    base_url, dist = releasable_server
    wait_until_controlled(page, base_url)

    publish_new_release(page, dist)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(UPDATE_QUESTION)
    with page.expect_event("load"):
        dialog.get_by_role("button", name="刷新").click()

    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert not waiting_worker_exists(page)


def test_a_new_release_keeps_waiting_when_the_user_says_later(page, releasable_server):
    base_url, dist = releasable_server
    wait_until_controlled(page, base_url)

    publish_new_release(page, dist)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(UPDATE_QUESTION)
    dialog.get_by_role("button", name="稍后").click()

    expect(dialog).to_be_hidden()
    assert waiting_worker_exists(page)
