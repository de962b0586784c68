"""The recipient's receipt QR (签收码): shown from their own app instead of telling the pickup code, for this
shipment only, fresh for 10 minutes, and only while the parcel is out for delivery."""

from __future__ import annotations

import time

from api.delivery.courier import RECEIPT_SECONDS, RECEIPT_TYPE
from api.vault.signing import certificate_keys
from tests.applications.conftest import ok

from .conftest import dispatch


def _sign(app, shipment_id: str, typ: str = RECEIPT_TYPE, issued_at: int | None = None) -> str:
    with app.app_context():
        return certificate_keys().sign(shipment_id, typ, issued_at)


def _deliver(walker, shipment, token):
    return walker.post(f"/courier/shipments/{shipment['_id']}/delivery", json={"token": token})


def test_the_applicant_shows_a_receipt_qr_only_while_the_parcel_is_out_for_delivery(posted, clerk, courier):
    owner, view, shipment = posted()
    path = f"/delivery/applications/{view['id']}/receipt-qr.svg"
    assert owner.get(path).status_code == 409
    dispatch(clerk, shipment, courier())
    answer = owner.get(path)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml" and b"<svg" in answer.data


def test_someone_else_cannot_draw_the_receipt_qr(posted, clerk, courier, resident):
    _, view, shipment = posted()
    dispatch(clerk, shipment, courier())
    assert resident("13800000009", "赵六").get(f"/delivery/applications/{view['id']}/receipt-qr.svg").status_code == 404


def test_the_courier_confirms_delivery_with_the_recipients_receipt_qr(app, posted, clerk, courier):
    owner, view, shipment = posted()
    walker = courier()
    dispatch(clerk, shipment, walker)
    assert ok(_deliver(walker, shipment, _sign(app, shipment["_id"])))["state"] == "delivered"
    assert ok(owner.get(f"/applications/{view['id']}"))["state"] == "completed"


def test_a_stale_or_foreign_or_forged_receipt_qr_is_refused(app, posted, clerk, courier):
    _, _, shipment = posted()
    walker = courier()
    dispatch(clerk, shipment, walker)
    stale = _sign(app, shipment["_id"], issued_at=int(time.time()) - RECEIPT_SECONDS - 5)
    envelope = _sign(app, shipment["_id"], typ="shipment")  # the envelope's handover QR is not the recipient's
    other = _sign(app, "shp_someone_else")
    for token in (stale, envelope, other, _sign(app, shipment["_id"])[:-3] + "AAA"):
        answer = _deliver(walker, shipment, token)
        assert answer.status_code == 422 and answer.get_json()["code"] == "bad_receipt"
    assert walker.post(f"/courier/shipments/{shipment['_id']}/delivery", json={}).status_code == 422


def test_another_courier_cannot_use_a_receipt_qr(app, posted, clerk, courier):
    _, _, shipment = posted()
    dispatch(clerk, shipment, courier())
    assert _deliver(courier(), shipment, _sign(app, shipment["_id"])).status_code == 404
