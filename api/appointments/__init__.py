"""Service-hall appointments and queue numbers (网上预约, 排队叫号): halls and windows, slots, bookings, check-in,
the queue and its calling screen. See docs/appointments.md."""
