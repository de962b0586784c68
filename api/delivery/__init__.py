"""Delivery of paper results by EMS (邮政专递): shipments, waybills, tracking events, courier confirmation."""
