"""The states of a shipment (邮件), which only move forward.

created (label printed, 待揽收) → accepted (揽收) → in_transit (运输中) → at_delivery_office (到达投递局)
→ out_for_delivery (派送中; a courier is assigned) → delivered (妥投) | failed (投递失败, with a reason).
A failed shipment goes out for delivery again while it has attempts left (3), or is returned to the
sender hall (退回) for pickup. Steps of the main line may be skipped (a scan the carrier never sent) but
never taken back; delivered and returned are final.
"""

from __future__ import annotations

CREATED, ACCEPTED, IN_TRANSIT, AT_OFFICE = "created", "accepted", "in_transit", "at_delivery_office"
OUT_FOR_DELIVERY, DELIVERED, FAILED, RETURNED = "out_for_delivery", "delivered", "failed", "returned"
MAIN_LINE = (CREATED, ACCEPTED, IN_TRANSIT, AT_OFFICE, OUT_FOR_DELIVERY)
FINAL = (DELIVERED, RETURNED)
EVENT_STATES = (ACCEPTED, IN_TRANSIT, AT_OFFICE, OUT_FOR_DELIVERY, DELIVERED, FAILED, RETURNED)
MAX_ATTEMPTS = 3

LABELS = {
    CREATED: "已制单，待揽收",
    ACCEPTED: "已揽收",
    IN_TRANSIT: "运输中",
    AT_OFFICE: "到达投递局",
    OUT_FOR_DELIVERY: "派送中",
    DELIVERED: "已妥投",
    FAILED: "投递未成功",
    RETURNED: "已退回大厅，待自取",
}


def can_move(shipment: dict, target: str) -> bool:
    """Whether `target` is a step forward from the shipment's state."""
    current = shipment["state"]
    if current in FINAL:
        return False
    if target in MAIN_LINE and current in MAIN_LINE:
        return MAIN_LINE.index(target) > MAIN_LINE.index(current)
    if target == OUT_FOR_DELIVERY and current == FAILED:
        return shipment.get("attempts", 0) < shipment.get("max_attempts", MAX_ATTEMPTS)
    if target in (DELIVERED, FAILED):
        return current == OUT_FOR_DELIVERY
    if target == RETURNED:
        return current in (FAILED, AT_OFFICE)
    return False
