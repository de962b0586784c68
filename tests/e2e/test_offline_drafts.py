"""Offline on a phone: a draft typed without network stays on the phone (IndexedDB), survives a reload,
syncs when the network is back, and a value changed meanwhile on the server is a choice, never
overwritten; the catalogue opens offline, personal answers are never cached, logging out clears it all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .one_thing import BUNDLE, act_for_the_restaurant, li_na, log_in_as_li_na, on_phone, screenshot

SMALL_PHONE = {"width": 360, "height": 640}

KEPT_DRAFT = """async (id) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('onetrip-drafts')
    open.onsuccess = () => resolve(open.result)
    open.onerror = () => reject(open.error)
  })
  if (!db.objectStoreNames.contains('drafts')) return null
  return new Promise((resolve) => {
    const read = db.transaction('drafts').objectStore('drafts').get(id)
    read.onsuccess = () => resolve(read.result ?? null)
  })
}"""

CACHED_URLS = """async () => {
  const urls = []
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push([name, new URL(request.url).pathname])
  }
  return urls
}"""


@pytest.fixture
def demo_app(own_demo_app):
    """李娜's drafts here would be carried over into other tests' forms: a city of their own."""
    return own_demo_app


@pytest.fixture
def demo_server(own_demo_server):
    return own_demo_server


@pytest.fixture
def draft(demo_app):
    """李娜's fresh 开办餐饮店 draft, withdrawn afterwards: the next test's 开始办理 finds no draft waiting."""
    created = li_na(demo_app).call("POST", "/applications", 201, json={"bundle": BUNDLE})
    yield created
    withdraw(demo_app, created["id"])


def withdraw(app, application_id: str) -> None:
    applicant = li_na(app)
    applicant.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=applicant.headers)


def kept_on_the_phone(page, draft_id: str, condition) -> dict:
    """The draft's record in IndexedDB once `condition` holds for it (waits up to 5 s)."""
    for _ in range(50):
        kept = page.evaluate(KEPT_DRAFT, draft_id)
        if condition(kept):
            return kept or True
        page.wait_for_timeout(100)
    raise AssertionError(f"the phone keeps {kept!r}")


def saving(page):
    return page.get_by_role("status").filter(has_text=re.compile("保存|同步|改过"))


def box(page, label: str):
    return page.get_by_role("textbox", name=label, exact=True)


def back_online(page) -> None:
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def server_values(app, draft_id: str) -> dict:
    draft = li_na(app).call("GET", f"/applications/{draft_id}")
    return {f["name"]: f["value"] for f in draft["fields"]}


def open_draft_under_the_worker(page, base_url: str, store, draft_id: str) -> None:
    """Log in, let the service worker install, then open the form: the worker serves it from now on."""
    page.set_viewport_size(SMALL_PHONE)
    act_for_the_restaurant(page)
    log_in_as_li_na(page, base_url, store)
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    page.goto(f"{base_url}/services/apply/{draft_id}?step=fill")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(saving(page)).to_have_text("填写内容会自动保存")


def test_a_draft_typed_offline_survives_a_reload_and_syncs_when_back_online(page, demo_server, demo_app, draft):
    open_draft_under_the_worker(page, demo_server, demo_app.extensions["store"], draft["id"])

    box(page, "店铺名称（招牌字号）").fill("王记米粉")  # typed, no blur: sent when the typing pauses
    expect(saving(page)).to_have_text("已同步")

    page.context.set_offline(True)
    box(page, "经营场所地址").fill("湖南省株洲市天元区离线路1号")
    box(page, "就餐座位数").fill("24")
    expect(saving(page)).to_contain_text("已保存在本机")
    assert kept_on_the_phone(page, draft["id"], lambda kept: kept and kept["pending"].get("shop.seats") == 24)
    screenshot(page, "offline-1-typed-offline")

    # A reload without network: the shell from the service worker, the values from IndexedDB.
    page.reload()
    expect(page.get_by_text("网络已断开", exact=False).first).to_be_visible()
    expect(box(page, "经营场所地址")).to_have_value("湖南省株洲市天元区离线路1号")
    expect(box(page, "就餐座位数")).to_have_value("24")
    expect(box(page, "店铺名称（招牌字号）")).to_have_value("王记米粉")
    expect(saving(page)).to_have_text("已保存在本机，联网后自动同步")
    box(page, "食品安全管理人员").fill("王芳")
    expect(saving(page)).to_contain_text("已保存在本机")
    on_phone(page)
    screenshot(page, "offline-2-reloaded-offline")

    back_online(page)
    expect(saving(page)).to_have_text("已同步", timeout=15000)
    values = server_values(demo_app, draft["id"])
    assert values["shop.name"] == "王记米粉"
    assert values["shop.address"] == "湖南省株洲市天元区离线路1号"
    assert values["shop.seats"] == 24
    assert values["shop.food_safety_officer"] == "王芳"
    expect(page.get_by_text("网络已断开", exact=False)).to_have_count(0)
    screenshot(page, "offline-3-synced")


def test_a_value_changed_on_the_server_meanwhile_is_shown_and_the_persons_choice_is_applied(page, demo_server, demo_app, draft):
    page.set_viewport_size(SMALL_PHONE)
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.goto(f"{demo_server}/services/apply/{draft['id']}?step=fill")
    box(page, "店铺名称（招牌字号）").fill("初稿店名")
    box(page, "店铺名称（招牌字号）").blur()
    expect(saving(page)).to_have_text("已同步")

    page.context.set_offline(True)
    box(page, "店铺名称（招牌字号）").fill("本机店名")
    box(page, "就餐座位数").fill("30")
    box(page, "经营场所地址").fill("湖南省株洲市芦淞区本机路3号")
    box(page, "经营场所地址").blur()
    expect(saving(page)).to_contain_text("已保存在本机")

    # Meanwhile, on another phone: the same draft, two of the same fields changed.
    other = li_na(demo_app)
    current = other.call("GET", f"/applications/{draft['id']}")
    other.call(
        "PATCH",
        f"/applications/{draft['id']}",
        json={"values": {"shop.name": "服务器店名", "shop.seats": 60}, "version": current["version"]},
    )

    back_online(page)
    conflicts = page.get_by_role("region", name="以下内容在别处也改过，请选择保留哪一个")
    expect(conflicts).to_be_visible(timeout=15000)
    expect(saving(page)).to_have_text("有内容在别处也改过，请选择保留哪一个")
    name = conflicts.get_by_role("group", name="店铺名称（招牌字号）")
    expect(name.get_by_role("button", name="本机的：本机店名")).to_be_visible()
    expect(name.get_by_role("button", name="服务器上的：服务器店名")).to_be_visible()
    # Nothing was overwritten: the server still has its values; the unchanged field went through.
    values = server_values(demo_app, draft["id"])
    assert (values["shop.name"], values["shop.seats"]) == ("服务器店名", 60)
    assert values["shop.address"] == "湖南省株洲市芦淞区本机路3号"
    on_phone(page)
    screenshot(page, "offline-4-conflict")

    name.get_by_role("button", name="本机的：本机店名").click()
    conflicts.get_by_role("group", name="就餐座位数").get_by_role("button", name="服务器上的：60").click()
    expect(conflicts).to_be_hidden()
    expect(saving(page)).to_have_text("已同步")
    expect(box(page, "就餐座位数")).to_have_value("60")
    expect(box(page, "店铺名称（招牌字号）")).to_have_value("本机店名")
    for _ in range(50):
        values = server_values(demo_app, draft["id"])
        if values["shop.name"] == "本机店名":
            break
        page.wait_for_timeout(100)
    assert (values["shop.name"], values["shop.seats"]) == ("本机店名", 60)


def test_the_catalogue_opens_offline_and_personal_answers_are_never_cached(page, demo_server, demo_app):
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    page.goto(demo_server + "/services")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.get_by_role("link", name=re.compile("开办餐饮店一件事"))).to_be_visible()
    page.goto(demo_server + "/me/applications")  # personal: the person's applications
    page.goto(demo_server + "/me/messages")
    page.wait_for_load_state("networkidle")

    cached = page.evaluate(CACHED_URLS)
    api = [path for _, path in cached if path.startswith("/api/")]
    assert any(path.startswith("/api/v1/catalog/") for path in api), cached
    assert [path for path in api if not path.startswith("/api/v1/catalog/")] == []

    page.context.set_offline(True)
    page.goto(demo_server + "/services")
    expect(page.get_by_role("link", name=re.compile("开办餐饮店一件事"))).to_be_visible()
    screenshot(page, "offline-5-catalogue")


def test_logging_out_leaves_no_draft_key_or_personal_cache_on_the_phone(page, demo_server, demo_app, draft):
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.goto(f"{demo_server}/services/apply/{draft['id']}?step=fill")
    box(page, "店铺名称（招牌字号）").fill("退出前的店名")
    expect(saving(page)).to_have_text("已同步")
    assert kept_on_the_phone(page, draft["id"], lambda kept: kept is not None)
    page.evaluate("async () => { await (await caches.open('onetrip-personal-test')).put('/api/v1/me', new Response('{}')) }")
    assert page.evaluate("sessionStorage.getItem('onetrip.actingFor')") is not None

    page.goto(demo_server + "/me")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("dialog").get_by_role("button", name="退出").click()
    expect(page.get_by_text("已退出登录")).to_be_visible()

    assert page.evaluate(KEPT_DRAFT, draft["id"]) is None
    keys = page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('onetrip.'))")
    assert set(keys) <= {"onetrip.install", "onetrip.visits", "onetrip.visitCounted"}, keys
    caches = page.evaluate("caches.keys()")
    assert "onetrip-personal-test" not in caches
    assert all(re.search("precache|catalog", name) for name in caches), caches
