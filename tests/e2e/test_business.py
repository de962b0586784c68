"""Acting for a business (法人): the legal representative switches to it and manages its agents."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .identity import add_org, add_person, log_in, new_phone, verify_real_name


def test_a_legal_representative_switches_to_act_for_their_company(page, live_server, store, live_app):
    person = add_person(live_app, "王建国")
    org = add_org(live_app, person, "株洲建国餐饮管理有限公司")
    log_in(page, live_server, store, new_phone())
    verify_real_name(page, person)
    expect(page.get_by_text("L2 已实名")).to_be_visible()

    page.get_by_role("button", name="我的企业").click()
    company = page.get_by_role("listitem").filter(has_text=org.name)
    expect(company).to_contain_text(org.credit_code)
    expect(company).to_contain_text("法定代表人")
    company.get_by_role("button", name=f"以「{org.name}」的身份办事").click()

    expect(company.get_by_text("当前身份")).to_be_visible()
    assert org.credit_code in page.evaluate("sessionStorage.getItem('onetrip.actingFor')")
    page.get_by_role("button", name="返回").click()
    expect(page.get_by_role("button", name=f"正在以「{org.name}」的身份办事")).to_be_visible()
    expect(page.get_by_role("button", name="我的企业")).to_contain_text(f"当前：{org.name}")
    with page.expect_request(re.compile(r"/api/v1/me/sessions$")) as sessions_request:
        page.get_by_role("button", name="登录设备").click()
    assert sessions_request.value.headers.get("x-acting-for") == org.credit_code
    page.get_by_role("button", name="返回").click()

    page.get_by_role("button", name="我的企业").click()
    page.get_by_role("button", name="切换为个人身份").click()
    expect(company.get_by_text("当前身份")).to_have_count(0)
    page.get_by_role("button", name="返回").click()
    expect(page.get_by_role("button", name="正在以")).to_have_count(0)


def test_a_legal_representative_authorises_an_agent_and_withdraws_it(page, live_server, store, live_app):
    rep = add_person(live_app, "赵文")
    org = add_org(live_app, rep, "株洲赵文贸易有限公司")
    agent = add_person(live_app, "钱明")
    log_in(page, live_server, store, new_phone())
    verify_real_name(page, rep)
    expect(page.get_by_text("L2 已实名")).to_be_visible()

    page.goto(live_server + f"/me/business/{org.credit_code}/agents")
    expect(page.get_by_text("还没有授权经办人")).to_be_visible()
    page.get_by_role("button", name="添加经办人").click()
    form = page.get_by_role("dialog", name="添加经办人")
    form.get_by_role("textbox", name="姓名").fill(agent.name)
    form.get_by_role("textbox", name="身份证号").fill(agent.id_number)
    form.get_by_role("button", name="确认授权").click()

    withdraw = page.get_by_role("button", name="撤销 钱明 的授权")
    expect(withdraw).to_be_visible()
    withdraw.click()
    page.get_by_role("dialog").filter(has_text="撤销授权").get_by_role("button", name="撤销").click()
    expect(page.get_by_text("还没有授权经办人")).to_be_visible()
