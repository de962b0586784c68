"""Factories and steps for the one-thing journeys: the demo city (people, companies, staff, catalogue,
certificates as `seed-demo` makes them), logging in as them, and applications set up through the API."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from auth.demo import DEMO_STAFF_PASSWORD
from auth.seed_registry import DEMO_ORGS

from .identity import latest_code, log_in_on_the_login_page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
LI_NA_PHONE = "13800000003"  # 李娜, legal representative of the demo restaurant company
RESTAURANT = next(org for org in DEMO_ORGS if org["key"] == "restaurant_company")
BUNDLE = "open-restaurant"
FOOD_LICENCE_ITEM = "430200-SCJG-002"  # 食品经营许可新办, 市场监管
SIGNBOARD_ITEM = "430200-CGJ-001"  # 户外招牌设施设置审批, 城管
PDF = b"%PDF-1.4\n% a floor plan drawn for the browser tests\n%%EOF\n"

# The new facts of a restaurant: what 李娜 types, the government has none of it.
SHOP = {
    "shop.name": "李记湘菜馆",
    "shop.address": "湖南省株洲市芦淞区建设中路88号",
    "shop.area_sqm": 120.5,
    "shop.main_category": "餐饮服务经营者",
    "shop.business_items": "热食类食品制售",
    "shop.seats": 40,
    "shop.food_safety_officer": "李娜",
    "applicant.contact_address": "湖南省株洲市芦淞区建设中路88号",
    "signboard.text": "李记湘菜馆",
    "signboard.width_m": 4,
    "signboard.height_m": 0.8,
    "signboard.placement": "门楣式",
    "signboard.lighting": False,
    "shop.floor": 1,
    "fire.safety_manager": "李娜",
    "fire.acceptance": "已完成消防验收备案",
}


def seed_demo(app) -> None:
    """What `make run` seeds: registry, accounts, catalogue, certificates."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def screenshot(page, name: str) -> Path:
    """A full-page screenshot test-results/e2e/<name>.png (gitignored), to look at after a run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def decode_qr(png: bytes) -> str:
    """The text of the one QR code in a picture (a screenshot of it), read as a phone's camera would."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    # zxing may report one symbol more than once (seen once in CI): one distinct QR text is what counts.
    found = {(result.format, result.text) for result in results}
    assert len(found) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode, [
        (r.format, r.text, r.position) for r in results
    ]
    return results[0].text


def act_for_the_restaurant(page) -> None:
    """Start every page of this tab acting for 李娜's company, as 我的企业 would leave it."""
    org = {"credit_code": RESTAURANT["credit_code"], "name": RESTAURANT["name"]}
    page.add_init_script(f"sessionStorage.setItem('onetrip.actingFor', {json.dumps(json.dumps(org))})")


def log_in_as_li_na(page, base_url: str, store) -> None:
    page.goto(base_url + "/login")
    log_in_on_the_login_page(page, store, LI_NA_PHONE)
    expect(page.get_by_role("heading", level=2, name="李娜")).to_be_visible()


def log_in_as_staff(page, base_url: str, username: str, landing: str) -> None:
    """Staff log in with the demo password and land on `landing` (a staff page)."""
    page.goto(base_url + landing)  # a staff page sends a guest to the staff login, then back
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(base_url + landing)


# -- the same journey through the API, to set up what a test starts from ---------------------------------


@dataclass
class Api:
    """A logged-in caller of the real API (the Flask test client of the served app)."""

    client: object
    headers: dict

    def call(self, method: str, path: str, expected: int = 200, **kwargs):
        response = self.client.open(f"/api/v1{path}", method=method, headers=self.headers, **kwargs)
        assert response.status_code == expected, (path, response.status_code, response.get_json())
        return response.get_json()


def resident(app, phone: str, acting_for: str | None = None) -> Api:
    """A demo resident logged in with the SMS code, acting for a business when `acting_for` is given."""
    store = app.extensions["store"]
    store["rate_limits"].delete_many({})
    client = app.test_client()
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "login"})
    assert sent.status_code < 300, sent.get_json()
    login = client.post("/api/v1/auth/login", json={"phone": phone, "code": latest_code(store, phone)})
    assert login.status_code == 200, login.get_json()
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    if acting_for:
        headers["X-Acting-For"] = acting_for
    return Api(client, headers)


def li_na(app) -> Api:
    return resident(app, LI_NA_PHONE, acting_for=RESTAURANT["credit_code"])


def staff(app, username: str) -> Api:
    client = app.test_client()
    login = client.post("/api/v1/auth/staff-login", json={"username": username, "password": DEMO_STAFF_PASSWORD})
    assert login.status_code == 200, login.get_json()
    return Api(client, {"Authorization": f"Bearer {login.get_json()['access_token']}"})


def submitted_restaurant(app) -> dict:
    """李娜's 开办餐饮店 application, filled in, every material provided, submitted."""
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
    return applicant.call("POST", f"/applications/{draft['id']}/submit", json={"version": draft["version"]})


def accepted_restaurant(app) -> dict:
    submitted = submitted_restaurant(app)
    return staff(app, "clerk01").call("POST", f"/clerk/applications/{submitted['id']}/accept")


def sub_of(application: dict, item: str) -> dict:
    return next(sub for sub in application["subs"] if sub["item"] == item)


def on_phone(page) -> None:
    """Nothing sticks out sideways on a 360px-wide phone."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
