"""Journey (a): a new resident on her phone. She registers with her phone number, proves who she is
(real name), applies for 新生儿出生一件事 with what the government already holds filled in for her (the
registry's data and the hospital's 出生医学证明 in her certificate wallet), submits, and reads the
notification in her inbox."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from api.vault.service import issue_certificate
from auth.crypto import field_cipher

from .identity import add_person, id_number, log_in, verify_real_name
from .one_thing import PDF, on_phone, screenshot
from .test_apply import choose, field, fill_in
from .test_inbox import run_notifications_worker

BABY = {"name": "周小满", "sex": "F", "birth_date": "2026-11-20", "certificate_no": "Q430211265001"}


def hospital_issues_the_birth_certificate(app, mother) -> None:
    """What the hospital's system does after a birth: the 出生医学证明 goes to the mother's wallet, by her
    ID number, whether or not she has an account yet."""
    cipher = field_cipher(app)
    data = {
        "certificate_no": BABY["certificate_no"],
        "baby_name": BABY["name"],
        "baby_sex": BABY["sex"],
        "birth_date": BABY["birth_date"],
        "birth_place": "湖南省株洲市天元区",
        "hospital": "株洲市中心医院",
        "mother_name": mother.name,
        "mother_id_number": mother.id_number,
        "father_name": "周建",
        "father_id_number": None,
    }
    holder = {"kind": "person", "key": cipher.blind_index("id_number", mother.id_number)}
    issue_certificate(app.extensions["store"], cipher, holder, "birth_medical_certificate", "出生医学证明", data, "wjw",
                      holder_name=mother.name, issuer_name="株洲市卫生健康委员会")  # fmt: skip


def test_a_new_resident_registers_proves_who_she_is_and_applies_for_her_newborn_with_prefilled_data(page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    mother = add_person(demo_app, "周敏")
    hospital_issues_the_birth_certificate(demo_app, mother)
    phone = "13711260001"  # not new_phone(): in the demo city its numbers belong to staff

    # Register: the first login with a phone and its SMS code makes the account (level 1) …
    log_in(page, demo_server, store, phone)
    # … and the registry check of her name and ID number makes it real-name level 2.
    verify_real_name(page, mother)
    expect(page.get_by_text("L2 已实名")).to_be_visible()
    screenshot(page, "journey-a-1-real-name")

    page.goto(demo_server + "/services/bundles/newborn")
    expect(page.get_by_role("heading", level=2, name="新生儿出生一件事")).to_be_visible()
    page.get_by_role("button", name="开始办理").click()

    # Step 1: what the government holds, filled in and locked, each with where it came from.
    expect(page.get_by_role("heading", name=re.compile("第 1 步.*核对信息"))).to_be_visible()
    # 12 of the 24 facts: 11 from the registry and the hospital's certificate, locked; the phone from the account.
    expect(page.get_by_role("note")).to_contain_text("已为您自动填写 12 项")
    name = page.get_by_role("textbox", name="申请人姓名", exact=True)
    expect(name).to_have_value(mother.name)
    expect(name).not_to_be_editable()
    expect(page.get_by_role("textbox", name="新生儿姓名", exact=True)).to_have_value(BABY["name"])
    expect(field(page, "新生儿姓名")).to_contain_text("电子证照")
    expect(page.get_by_role("textbox", name="母亲身份证件号码", exact=True)).to_have_value(mother.id_number)
    expect(page.get_by_role("textbox", name="出生医学证明编号", exact=True)).to_have_value(BABY["certificate_no"])
    on_phone(page)
    screenshot(page, "journey-a-2-prefilled")
    page.get_by_role("button", name="下一步").click()

    # Step 2: only what nobody holds yet.
    expect(page.get_by_role("heading", name=re.compile("第 2 步.*填写信息"))).to_be_visible()
    answer_every_empty_field(page)
    expect(page.get_by_role("status").filter(has_text="已同步")).to_be_visible()
    screenshot(page, "journey-a-3-new-facts")
    page.get_by_role("button", name="下一步").click()

    # Step 3: the hospital's papers are uploaded; the certificate and household book were fetched.
    expect(page.get_by_role("heading", name=re.compile("第 3 步.*提供材料"))).to_be_visible()
    materials = page.get_by_role("list", name="申请材料")
    expect(materials.get_by_role("listitem", name="出生医学证明")).to_contain_text("已自动调取")
    uploads = materials.get_by_label(re.compile("^上传文件："))
    for left in range(uploads.count(), 0, -1):
        uploads.first.set_input_files({"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF})
        expect(uploads).to_have_count(left - 1)
    expect(page.get_by_role("status").filter(has_text="材料")).to_have_text("材料已齐全")
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name=re.compile("第 4 步.*确认提交"))).to_be_visible()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status").filter(has_text="提交成功")).to_contain_text("已分送 5 个事项")
    on_phone(page)
    screenshot(page, "journey-a-4-submitted")

    # The notification the submission caused reaches her inbox.
    run_notifications_worker(demo_app)
    page.goto(demo_server + "/me/messages")
    expect(page.get_by_role("article").first).to_contain_text("新生儿出生一件事")
    screenshot(page, "journey-a-5-inbox")


def answer_every_empty_field(page) -> None:
    """Step 2 of the newborn form, typed and tapped as the mother would: nobody holds these yet."""
    choose(page, "申请人与新生儿关系", "母亲")
    choose(page, "选择的预防接种门诊", "天元区社区卫生服务中心接种门诊")
    choose(page, "新生儿与户主关系", "女")
    choose(page, "服务银行", "中国工商银行")
    choose(page, "分娩方式", "顺产")
    for label, value in {
        "父亲身份证件号码": id_number("19890304"),
        "新生儿民族": "汉族",
        "证照邮寄地址": "湖南省株洲市天元区示例路1号",
        "收款人户名": "周敏",
        "开户银行": "中国工商银行株洲分行",
        "银行账号": "6222020200112233445",
        "自付医疗费用合计（分）": "356000",
    }.items():
        fill_in(page, label, value)
