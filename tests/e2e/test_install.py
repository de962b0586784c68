"""Installing the app: a manifest with maskable icons and narrow and wide screenshots, and 添加到主屏幕
offered at a sensible moment: never on the first load, on the second visit (or after a first submitted
application, see test_push.py), and not again once answered."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from .one_thing import screenshot

# What Chromium does when the app is installable: a cancelable event whose prompt() opens its own dialog.
BROWSER_OFFERS_INSTALL = """() => {
  const event = new Event('beforeinstallprompt', { cancelable: true })
  event.prompt = async () => { window.e2ePrompted = true }
  event.userChoice = Promise.resolve({ outcome: 'accepted', platform: 'web' })
  window.dispatchEvent(event)
  return event.defaultPrevented
}"""


def offer(page):
    return page.get_by_role("region", name="添加到主屏幕")


def test_the_manifest_has_maskable_icons_and_narrow_and_wide_screenshots(page, live_server):
    manifest = page.request.get(live_server + "/manifest.webmanifest").json()
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    shots = {shot["form_factor"]: shot for shot in manifest["screenshots"]}
    assert set(shots) == {"narrow", "wide"}
    for shot in shots.values():
        picture = page.request.get(live_server + shot["src"])
        assert picture.ok and picture.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(picture.body())).size
        assert f"{width}x{height}" == shot["sizes"]
        assert shot["label"]


def test_add_to_home_screen_is_offered_on_the_second_visit_and_not_again_once_answered(page, live_server):
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate(BROWSER_OFFERS_INSTALL)  # kept for later: no browser mini-infobar
    expect(offer(page)).to_have_count(0)  # never on the first load

    second = page.context.new_page()  # another day: a new visit
    second.goto(live_server + "/")
    second.evaluate(BROWSER_OFFERS_INSTALL)
    expect(offer(second)).to_be_visible()
    screenshot(second, "install-1-offered-on-the-second-visit")
    offer(second).get_by_role("button", name="添加到主屏幕").click()
    expect(offer(second)).to_have_count(0)
    assert second.evaluate("window.e2ePrompted === true")  # the browser's own install dialog

    third = page.context.new_page()
    third.goto(live_server + "/")
    third.evaluate(BROWSER_OFFERS_INSTALL)
    expect(third.get_by_role("heading", level=1)).to_be_visible()
    expect(offer(third)).to_have_count(0)


def test_no_thanks_is_remembered_on_the_phone(page, live_server):
    page.goto(live_server + "/")
    second = page.context.new_page()
    second.goto(live_server + "/")
    second.evaluate(BROWSER_OFFERS_INSTALL)
    offer(second).get_by_role("button", name="不了，谢谢").click()
    expect(offer(second)).to_have_count(0)
    second.reload()
    second.evaluate(BROWSER_OFFERS_INSTALL)
    expect(second.get_by_role("heading", level=1)).to_be_visible()
    expect(offer(second)).to_have_count(0)
