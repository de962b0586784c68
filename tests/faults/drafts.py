"""Ready drafts for the fault tests: 不动产转移登记一件事 of the demo's 张晓明, through the API in-process."""

from __future__ import annotations

import io

from tests.applications.conftest import tiny_pdf, tiny_png
from tests.payments.conftest import PROPERTY_FACTS

API = "/api/v1"
BUYER = "acc_demo_zhang_xiaoming"  # the demo's library holds his 网签备案: 不动产转移登记 starts filled in, with an 80 元 fee


def ready_property_transfer(client, headers) -> dict:
    """One 不动产转移登记一件事 draft with every field and material: ready to submit."""
    view = client.post(f"{API}/applications", json={"bundle": "property-transfer"}, headers=headers).get_json()
    values = {f["name"]: PROPERTY_FACTS[f["name"]] for f in view["fields"] if f["source"] is None and f["name"] in PROPERTY_FACTS}
    view = client.patch(f"{API}/applications/{view['id']}", json={"values": values, "version": view["version"]}, headers=headers)
    view = view.get_json()
    for material in view["materials"]:
        if material["status"] != "missing":
            continue
        path = f"{API}/applications/{view['id']}/materials/{material['code']}"
        if material["source"] == "form":
            view = client.post(path + "/declaration", json={"version": view["version"]}, headers=headers).get_json()
        else:
            content = tiny_pdf() if "plan" in material["code"] else tiny_png()
            data = {"version": str(view["version"]), "file": (io.BytesIO(content), "scan")}
            view = client.post(path + "/upload", data=data, headers=headers, content_type="multipart/form-data").get_json()
    assert not view["missing_fields"] and all(m["status"] != "missing" for m in view["materials"]), view
    return view


def submit(client, headers, view: dict) -> dict:
    answer = client.post(f"{API}/applications/{view['id']}/submit", json={"version": view["version"]}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()
