"""The certificate wallet (证照夹): what an approval issued, with a QR code that proves it genuine."""

from __future__ import annotations

from playwright.sync_api import expect

from .one_thing import (
    FOOD_LICENCE_ITEM,
    RESTAURANT,
    accepted_restaurant,
    act_for_the_restaurant,
    decode_qr,
    li_na,
    log_in_as_li_na,
    on_phone,
    screenshot,
    staff,
    sub_of,
)


def issued_food_licence(app) -> dict:
    """李娜's restaurant application accepted and its food licence approved: the licence, as listed."""
    application = accepted_restaurant(app)
    licence = sub_of(application, FOOD_LICENCE_ITEM)
    staff(app, "approver-scjg").call("POST", f"/review/sub-applications/{licence['id']}/decision", json={"action": "approve"})
    applicant = li_na(app)
    certificate = next(c for c in applicant.call("GET", "/me/certificates") if c["application_id"] == application["id"])
    # The signing key is made on first use; two first uses at once in one process (the page asks for
    # the licence and its QR code together) can collide on the key file's temporary name: make it now.
    applicant.call("GET", f"/me/certificates/{certificate['id']}/qr.svg")
    return certificate


def test_the_wallet_shows_the_issued_food_licence_with_a_qr_code_that_verifies(page, second_page, demo_server, demo_app):
    licence = issued_food_licence(demo_app)
    page.set_viewport_size({"width": 360, "height": 640})
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])

    page.goto(demo_server + "/me")
    page.get_by_role("button", name="证照夹").click()
    company = page.get_by_role("region", name=f"{RESTAURANT['name']}的证照")
    card = company.get_by_role("article").filter(has_text=licence["number"])
    expect(card.get_by_role("heading", name="食品经营许可证")).to_be_visible()
    expect(card).to_contain_text("有效")
    expect(company.get_by_role("article", name="营业执照")).to_be_visible()  # the seeded licence, reused by the form
    card.get_by_role("button", name="出示食品经营许可证二维码").click()

    qr = card.get_by_role("img", name="食品经营许可证核验二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    expect(card).to_contain_text("热食类食品制售")  # the licence's data, from the application's form
    on_phone(page)
    screenshot(page, "wallet-1-qr")

    # Someone at a counter scans it with their own phone.
    qr.evaluate("image => image.scrollIntoView({ block: 'center' })")  # clear of the fixed bars
    link = decode_qr(page.screenshot(clip=qr.bounding_box()))
    assert link.startswith(demo_server + "/verify?token=")
    second_page.goto(link)
    expect(second_page.get_by_text("真实有效")).to_be_visible()
    expect(second_page.locator("dl")).to_contain_text("食品经营许可证")
    screenshot(second_page, "wallet-2-verified")
