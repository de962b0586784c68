"""A correction (补正): a department asks for it on its phone, the applicant sends it on hers."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import (
    PDF,
    RESTAURANT,
    SIGNBOARD_ITEM,
    accepted_restaurant,
    act_for_the_restaurant,
    log_in_as_li_na,
    log_in_as_staff,
    on_phone,
    screenshot,
    sub_of,
)

REASON = "招牌宽度超出门面宽度，请按实测尺寸修改，并重新上传效果图"
DESIGN = "招牌设计效果图（标明尺寸、材质、安装方式）"


def test_the_city_management_asks_for_a_correction_and_the_applicant_sends_it(page, second_page, demo_server, demo_app):
    application = accepted_restaurant(demo_app)
    signboard = sub_of(application, SIGNBOARD_ITEM)

    # 城管: 要求补正, choosing what and saying why.
    log_in_as_staff(page, demo_server, "approver-cgj", f"/staff/review/{signboard['id']}")
    expect(page.get_by_role("heading", level=2, name="户外招牌设施设置审批")).to_be_visible()
    page.get_by_role("button", name="要求补正").click()
    sheet = page.get_by_role("dialog", name="要求补正")
    sheet.get_by_role("button", name="发送补正要求").click()
    expect(sheet.get_by_role("alert").first).to_have_text("请至少选择一项")
    sheet.get_by_role("checkbox", name="招牌宽度（米）").click()
    sheet.get_by_role("checkbox", name=f"材料：{DESIGN}").click()
    sheet.get_by_role("textbox", name="原因").fill(REASON)
    screenshot(page, "correction-1-asked")
    sheet.get_by_role("button", name="发送补正要求").click()
    expect(page.get_by_role("heading", level=2).locator("..")).to_contain_text("待补正")
    expect(page.get_by_text("补正要求")).to_contain_text("招牌宽度（米）")

    # 李娜 sees what is asked and why, and sends it.
    applicant = second_page
    applicant.set_viewport_size({"width": 360, "height": 640})
    act_for_the_restaurant(applicant)
    log_in_as_li_na(applicant, demo_server, demo_app.extensions["store"])
    applicant.goto(demo_server + "/me")  # opened again: acting for the company, as she left it
    applicant.get_by_role("button", name="我的办件").click()
    expect(applicant.get_by_text("的办件，含经办人办理的")).to_contain_text(RESTAURANT["name"])
    applicant.get_by_role("link", name=re.compile(application["number"])).click()
    correction = applicant.get_by_role("region", name="需要补正")
    expect(correction).to_contain_text(REASON)
    expect(correction).to_contain_text(f"需补正：招牌宽度（米）、{DESIGN}")
    width = correction.get_by_role("textbox", name="招牌宽度（米）", exact=True)
    expect(width).to_have_value("4")
    width.fill("3.5")

    correction.get_by_role("button", name="提交补正").click()  # the new design is not uploaded yet
    expect(correction.get_by_role("listitem", name=DESIGN).get_by_role("alert")).to_have_text("请重新提供该材料")
    on_phone(applicant)
    screenshot(applicant, "correction-2-form")

    correction.get_by_label(f"重新上传：{DESIGN}").set_input_files(
        {"name": "design.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(correction.get_by_role("listitem", name=DESIGN).get_by_role("alert")).to_have_count(0)
    correction.get_by_role("button", name="提交补正").click()

    expect(correction).to_have_count(0)
    expect(applicant.get_by_role("heading", level=2).locator("..")).to_contain_text("审批中")
    progress = applicant.get_by_role("region", name=re.compile("办理进度"))
    expect(progress.get_by_role("listitem", name="户外招牌设施设置审批")).to_contain_text("审批中")
    applicant.emulate_media(reduced_motion="reduce")  # the panel opens at once, for the screenshot
    applicant.get_by_role("button", name="办理记录").click()
    history = applicant.locator(".van-collapse-item").filter(has_text="办理记录")
    expect(history).to_contain_text("要求补正：户外招牌设施设置审批")
    expect(history).to_contain_text(REASON)
    expect(history).to_contain_text("提交补正材料：户外招牌设施设置审批")
    expect(history).to_contain_text("办件状态变为「待补正」")
    screenshot(applicant, "correction-3-sent")

    page.reload()
    expect(page.get_by_role("heading", level=2).locator("..")).to_contain_text("审批中")
