"""好差评 in the browser: 李娜 rates her completed restaurant application 不满意, the fire department's approver finds
the case on the 差评整改 page (from the 工作台) and replies with the measures taken, 李娜 sees the reply on her
application and rates again (满意), which closes the case as 已整改; the item's guide shows its 满意率."""

from __future__ import annotations

import io

from playwright.sync_api import expect

from .accessibility import assert_accessible
from .one_thing import (
    BUNDLE,
    PDF,
    SHOP,
    act_for_the_restaurant,
    li_na,
    log_in_as_li_na,
    log_in_as_staff,
    on_phone,
    screenshot,
    staff,
)

APPROVERS = {"scjg": "approver-scjg", "cgj": "approver-cgj", "xfjy": "approver-xfjy"}
COMPLAINT = "消防检查要求现场再跑一次，希望提前告知。"
REPLY = "已核实，检查安排未提前告知，向您致歉。"
MEASURES = "现场检查改为预约制，提前一天短信告知所需材料。"


def _completed_restaurant(app) -> dict:
    """李娜's 开办餐饮店 with pickup at the hall, accepted, approved by each department and handed over: completed."""
    applicant = li_na(app)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": BUNDLE})
    draft = applicant.call("PATCH", f"/applications/{draft['id']}", json={"values": SHOP, "version": draft["version"]})
    for material in draft["materials"]:
        base = f"/applications/{draft['id']}/materials/{material['code']}"
        if material["source"] == "form":
            draft = applicant.call("POST", f"{base}/declaration", json={"version": draft["version"]})
        elif material["source"] == "upload":
            form = {"version": str(draft["version"]), "file": (io.BytesIO(PDF), "plan.pdf")}
            draft = applicant.call("POST", f"{base}/upload", data=form, content_type="multipart/form-data")
    body = {"version": draft["version"], "delivery": {"method": "pickup", "hall": "zz-smzx"}}
    sent = applicant.call("POST", f"/applications/{draft['id']}/submit", json=body)
    clerk = staff(app, "clerk01")
    for sub in clerk.call("POST", f"/clerk/applications/{sent['id']}/accept")["subs"]:
        if sub["state"] == "in_review":
            approver = staff(app, APPROVERS[sub["department"]])
            approver.call("POST", f"/review/sub-applications/{sub['id']}/decision", json={"action": "approve"})
    done = clerk.call("POST", f"/clerk/applications/{sent['id']}/hand-over")
    assert done["state"] == "completed"
    return done


def test_a_resident_rates_not_satisfied_the_department_replies_and_she_sees_the_reply(page, second_page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    application = _completed_restaurant(demo_app)

    # 李娜 rates: 不满意, a complaint tag, a comment.
    citizen = page
    act_for_the_restaurant(citizen)
    log_in_as_li_na(citizen, demo_server, store)
    citizen.goto(f"{demo_server}/me/applications/{application['id']}")
    card = citizen.get_by_role("region", name="评价本次服务")
    expect(card.get_by_role("radiogroup", name="满意程度").get_by_role("radio")).to_have_count(5)
    card.get_by_role("radio", name="不满意", exact=True).click()
    expect(card.get_by_role("radio", name="不满意", exact=True)).to_have_attribute("aria-checked", "true")
    expect(card.get_by_role("button", name="态度好")).to_have_count(0)  # praise is not offered for 不满意
    card.get_by_role("button", name="跑了多次").click()
    card.get_by_label("意见建议（选填）").fill(COMPLAINT)
    on_phone(citizen)
    assert_accessible(citizen, "rating card")
    screenshot(citizen, "evaluations-1-rating")
    card.get_by_role("button", name="提交评价").click()
    given = citizen.get_by_role("region", name="我的评价")
    expect(given).to_contain_text("不满意")
    expect(given.get_by_label("整改答复")).to_contain_text("待整改")
    screenshot(citizen, "evaluations-2-rated")
    citizen.get_by_role("navigation", name="主导航").get_by_role("tab", name="我的").click()
    citizen.get_by_role("button", name="我的评价").click()
    mine = citizen.get_by_role("button", name="开办餐饮店一件事 不满意")
    expect(mine.first).to_contain_text("待整改")
    expect(citizen.locator(".van-toast")).to_be_hidden()  # the thank-you toast fades first
    assert_accessible(citizen, "我的评价")

    # The fire department's approver: 工作台 → 差评整改, the case, 答复 with the measures.
    approver = second_page
    log_in_as_staff(approver, demo_server, "approver-xfjy", "/staff")
    approver.get_by_role("button", name="差评整改").click()
    cases = approver.get_by_role("list", name="整改单").get_by_role("listitem")
    case = cases.filter(has_text=application["number"])
    expect(case).to_contain_text(COMPLAINT)
    expect(case).to_contain_text("跑了多次")
    case.get_by_role("button", name="答复", exact=True).click()
    case.get_by_role("textbox", name="答复").fill(REPLY)
    case.get_by_role("textbox", name="整改措施").fill(MEASURES)
    on_phone(approver)
    expect(approver.locator(".van-toast")).to_be_hidden()  # 登录成功 fades first: a toast is not this page's
    assert_accessible(approver, "差评整改")
    screenshot(approver, "evaluations-3-department-reply")
    case.get_by_role("button", name="提交答复").click()
    expect(cases.filter(has_text=application["number"])).to_have_count(0)
    approver.get_by_role("tab", name="已答复").click()
    expect(cases.filter(has_text=application["number"])).to_contain_text(REPLY)

    # 李娜 sees the reply on her application and rates again: 满意 closes the case as 已整改.
    citizen.goto(f"{demo_server}/me/applications/{application['id']}")
    given = citizen.get_by_role("region", name="我的评价")
    reply = given.get_by_label("整改答复")
    expect(reply).to_contain_text("已答复")
    expect(reply).to_contain_text(REPLY)
    expect(reply).to_contain_text(MEASURES)
    expect(reply).to_contain_text("株洲市消防救援支队")
    assert_accessible(citizen, "rating with the reply")
    screenshot(citizen, "evaluations-4-reply-seen")
    given.get_by_role("button", name="追加评价").click()
    again = citizen.get_by_role("region", name="追加评价")
    again.get_by_role("radio", name="满意", exact=True).click()
    again.get_by_role("button", name="态度好").click()
    again.get_by_role("button", name="提交评价").click()
    closed = citizen.get_by_role("region", name="我的评价")
    expect(closed.get_by_label("整改答复")).to_contain_text("已整改")
    expect(closed.get_by_role("button", name="追加评价")).to_have_count(0)
    screenshot(citizen, "evaluations-5-rectified")

    # The item's guide shows its public 满意率, the figure of the API.
    fire_item = "430200-XFJY-001"
    summary = demo_app.test_client().get(f"/api/v1/evaluations/summary?item={fire_item}").get_json()
    assert summary["count"] >= 1
    citizen.goto(f"{demo_server}/services/items/{fire_item}")
    rate = f"{round(summary['satisfaction_rate'] * 1000) / 10:g}%（{summary['count']} 人评价）"
    expect(citizen.locator(".van-cell").filter(has_text="群众满意率")).to_contain_text(rate)
