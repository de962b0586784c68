"""The one form on a phone: a legal representative opens a restaurant (开办餐饮店一件事) for her company."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import (
    BUNDLE,
    PDF,
    RESTAURANT,
    SHOP,
    act_for_the_restaurant,
    li_na,
    log_in_as_li_na,
    on_phone,
    screenshot,
)


def field(page, label: str):
    """The block of one form field: its label, source tag, input and message."""
    return page.locator(".form-field").filter(has=page.get_by_text(label, exact=True))


def fill_in(page, label: str, value: str) -> None:
    """Type a value and leave the field, as a person does: that is when it is saved."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(value)
    box.blur()


def choose(page, group: str, option: str) -> None:
    page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True).click()


def test_a_legal_representative_applies_to_open_a_restaurant_in_one_form(page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    log_in_as_li_na(page, demo_server, store)

    # She acts for her company: the restaurant is the company's, not hers.
    page.get_by_role("button", name="我的企业").click()
    page.get_by_role("button", name=f"以「{RESTAURANT['name']}」的身份办事").click()
    expect(page.get_by_text("当前身份", exact=True).last).to_be_visible()

    # 办事: search, then the bundle's guide.
    page.get_by_role("navigation", name="主导航").get_by_role("tab", name="办事").click()
    page.get_by_role("button", name="法人事项").click()
    page.get_by_role("searchbox", name="搜索事项").fill("开办餐饮店")
    page.get_by_role("searchbox", name="搜索事项").press("Enter")
    expect(page.get_by_role("status")).to_have_text("共找到 1 个“一件事”")
    screenshot(page, "apply-1-services-search")
    page.get_by_role("link", name=re.compile("开办餐饮店一件事")).click()

    expect(page.get_by_role("heading", level=2, name="开办餐饮店一件事")).to_be_visible()
    facts = page.get_by_label("办事指南一览")
    expect(facts).to_contain_text("免费")
    expect(facts).to_contain_text("3 个工作日")
    expect(facts).to_contain_text("一次不用跑")
    expect(page.get_by_text("株洲市消防救援支队", exact=True)).to_be_visible()
    expect(page.get_by_text("营业执照", exact=True)).to_be_visible()  # fetched, not asked for
    on_phone(page)
    screenshot(page, "apply-2-bundle-guide")
    page.get_by_role("button", name="开始办理").click()

    # Step 1: what the government already holds, locked, with its source.
    expect(page.get_by_role("heading", name=re.compile("第 1 步.*核对信息"))).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("已为您自动填写 10 项")
    company = page.get_by_role("textbox", name="单位名称", exact=True)
    expect(company).to_have_value(RESTAURANT["name"])
    expect(company).not_to_be_editable()
    expect(field(page, "单位名称")).to_contain_text("已核验·政府核验")
    expect(field(page, "法定代表人（负责人）").get_by_role("textbox")).to_have_value("李娜")
    expect(field(page, "主体类型").get_by_role("textbox")).to_have_value("企业")
    phone = page.get_by_role("textbox", name="申请人联系电话", exact=True)
    expect(phone).to_have_value("13800000003")
    expect(phone).to_be_editable()  # from her account, not checked by a registry
    expect(field(page, "申请人联系电话")).to_contain_text("账户信息")
    on_phone(page)
    screenshot(page, "apply-3-wizard-1-prefilled")
    field(page, "单位名称").get_by_role("button", name="单位名称信息有误").click()
    wrong = page.get_by_role("dialog", name="信息有误")
    expect(wrong).to_contain_text("不能直接修改")
    wrong.get_by_role("button", name="取消").click()
    expect(wrong).to_be_hidden()
    page.get_by_role("button", name="下一步").click()

    # Step 2: the new facts, each asked once for all four departments.
    expect(page.get_by_role("heading", name=re.compile("第 2 步.*填写信息"))).to_be_visible()
    page.get_by_role("button", name="下一步").click()
    expect(field(page, "店铺名称（招牌字号）").get_by_role("alert")).to_have_text("此项为必填项")

    fill_in(page, "店铺名称（招牌字号）", SHOP["shop.name"])
    fill_in(page, "经营场所面积（平方米）", "0")  # the server's rule: at least 1
    expect(field(page, "经营场所面积（平方米）").get_by_role("alert")).to_contain_text("不能小于1")
    fill_in(page, "经营场所面积（平方米）", str(SHOP["shop.area_sqm"]))
    expect(field(page, "经营场所面积（平方米）").get_by_role("alert")).to_have_count(0)
    fill_in(page, "经营场所地址", SHOP["shop.address"])
    choose(page, "主体业态", SHOP["shop.main_category"])
    choose(page, "经营项目", SHOP["shop.business_items"])
    fill_in(page, "就餐座位数", str(SHOP["shop.seats"]))
    fill_in(page, "食品安全管理人员", SHOP["shop.food_safety_officer"])
    fill_in(page, "所在楼层", str(SHOP["shop.floor"]))
    fill_in(page, "证照邮寄地址", SHOP["applicant.contact_address"])
    fill_in(page, "招牌文字内容", SHOP["signboard.text"])
    fill_in(page, "招牌宽度（米）", str(SHOP["signboard.width_m"]))
    fill_in(page, "招牌高度（米）", str(SHOP["signboard.height_m"]))
    choose(page, "设置方式", SHOP["signboard.placement"])
    choose(page, "是否带有灯光照明", "否")
    fill_in(page, "消防安全管理人", SHOP["fire.safety_manager"])
    choose(page, "建筑消防验收情况", SHOP["fire.acceptance"])
    expect(page.get_by_role("status").filter(has_text=re.compile("保存|同步"))).to_have_text("已同步")
    on_phone(page)
    screenshot(page, "apply-4-wizard-2-new-facts")

    # Saved as typed: a reload (or another phone) finds it all there.
    page.reload()
    expect(page.get_by_role("textbox", name="店铺名称（招牌字号）", exact=True)).to_have_value(SHOP["shop.name"])
    expect(page.get_by_role("radiogroup", name="设置方式").get_by_role("radio", name="门楣式")).to_be_checked()
    page.get_by_role("button", name="下一步").click()

    # Step 3: materials: the licence is fetched, promises are a tap, plans are uploaded.
    expect(page.get_by_role("heading", name=re.compile("第 3 步.*提供材料"))).to_be_visible()
    materials = page.get_by_role("list", name="申请材料")
    licence = materials.get_by_role("listitem", name="营业执照")
    expect(licence).to_contain_text("已自动调取")
    expect(page.get_by_role("status").filter(has_text="材料")).to_have_text("还有 9 项材料待提供")
    promises = materials.get_by_role("button", name=re.compile("^我承诺："))
    expect(promises).to_have_count(5)
    for left in range(5, 0, -1):  # each promise made leaves the list of those to make
        promises.first.click()
        dialog = page.get_by_role("dialog").filter(has_text="本人承诺")
        dialog.get_by_role("button", name="我承诺").click()
        expect(promises).to_have_count(left - 1)
    uploads = materials.get_by_label(re.compile("^上传文件："))
    expect(uploads).to_have_count(4)
    for left in range(4, 0, -1):
        name = uploads.first.get_attribute("aria-label").removeprefix("上传文件：")
        uploads.first.set_input_files({"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF})
        expect(materials.get_by_role("listitem", name=name)).to_contain_text("已上传")
        expect(uploads).to_have_count(left - 1)
    expect(page.get_by_role("status").filter(has_text="材料")).to_have_text("材料已齐全")
    on_phone(page)
    screenshot(page, "apply-5-wizard-3-materials")
    page.get_by_role("button", name="下一步").click()

    # Step 4: everything once more, then submit.
    expect(page.get_by_role("heading", name=re.compile("第 4 步.*确认提交"))).to_be_visible()
    expect(page.get_by_role("region", name="经营场所", exact=True)).to_contain_text(SHOP["shop.address"])
    expect(page.get_by_role("region", name="户外招牌", exact=True)).to_contain_text("否")
    on_phone(page)
    screenshot(page, "apply-6-wizard-4-review")
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_role("status").filter(has_text="提交成功")).to_contain_text("已分送 4 个事项")
    # A first submission on this phone offers progress notifications (test_push.py accepts them).
    page.get_by_role("dialog").filter(has_text="办理进度通知").get_by_role("button", name="暂不").click()
    expect(page.get_by_role("heading", level=2, name="开办餐饮店一件事")).to_be_visible()
    progress = page.get_by_role("region", name=re.compile("办理进度"))
    expect(progress.get_by_role("listitem")).to_have_count(4)
    expect(progress.get_by_role("listitem", name="食品经营许可新办")).to_contain_text("受理后 3 个工作日内办结")
    on_phone(page)
    screenshot(page, "apply-7-application-submitted")

    # 我的办件 lists it, submitted.
    page.get_by_role("navigation", name="主导航").get_by_role("tab", name="我的").click()
    page.get_by_role("button", name="我的办件").click()
    mine = page.get_by_role("list", name="办件列表").get_by_role("listitem").first
    expect(mine).to_contain_text("开办餐饮店一件事")
    expect(mine).to_contain_text("已提交")
    screenshot(page, "apply-8-my-applications")


def test_a_wrong_registry_value_is_reported_to_its_department_not_typed_over(page, demo_server, demo_app):
    draft = li_na(demo_app).call("POST", "/applications", 201, json={"bundle": BUNDLE})
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.goto(f"{demo_server}/services/apply/{draft['id']}")

    field(page, "住所").get_by_role("button", name="住所信息有误").click()
    sheet = page.get_by_role("dialog", name="信息有误")
    expect(sheet).to_contain_text(RESTAURANT["registered_address"])
    sheet.get_by_role("button", name="提交更正申请").click()
    expect(sheet.get_by_role("alert")).to_have_text("请说明哪里有误")
    sheet.get_by_role("textbox", name="正确的信息").fill("湖南省株洲市芦淞区样例街20号")
    sheet.get_by_role("textbox", name="哪里有误").fill("门牌号已于今年更改")
    sheet.get_by_role("button", name="提交更正申请").click()

    expect(page.get_by_text("已提交给株洲市市场监督管理局")).to_be_visible()  # the legal-person registry's keeper
    expect(field(page, "住所")).to_contain_text("已申请更正")
    expect(field(page, "住所").get_by_role("textbox")).to_have_value(RESTAURANT["registered_address"])
    page.reload()
    expect(field(page, "住所")).to_contain_text("已申请更正")
    expect(field(page, "住所").get_by_role("button", name="住所信息有误")).to_have_count(0)
    screenshot(page, "apply-9-reported")


def test_values_typed_offline_wait_on_the_phone_and_are_saved_when_it_is_back_online(page, demo_server, demo_app):
    draft = li_na(demo_app).call("POST", "/applications", 201, json={"bundle": BUNDLE})
    act_for_the_restaurant(page)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.goto(f"{demo_server}/services/apply/{draft['id']}?step=fill")
    saving = page.get_by_role("status").filter(has_text=re.compile("保存|同步"))
    expect(saving).to_have_text("填写内容会自动保存")

    page.context.set_offline(True)
    fill_in(page, "所在楼层", "3")
    expect(saving).to_contain_text("已保存在本机")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(saving).to_have_text("已同步")
    saved = li_na(demo_app).call("GET", f"/applications/{draft['id']}")
    assert next(f["value"] for f in saved["fields"] if f["name"] == "shop.floor") == 3
