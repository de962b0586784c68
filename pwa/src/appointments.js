// How bookings (网上预约) and queue numbers (排队叫号) read on the screen.

export const BOOKING_TAGS = {
  booked: 'primary',
  checked_in: 'success',
  served: 'default',
  no_show: 'danger',
  cancelled: 'default',
}

export const HALL_KINDS = { city: '市级大厅', district: '区县中心', community: '社区便民服务点' }

export const TICKET_STATES = { waiting: '等候中', called: '正在叫号', served: '已办结', no_show: '已过号' }
export const TICKET_KINDS = { booked: '预约', walk_in: '现场' }

export const appointmentPath = (id) => `/appointments/${encodeURIComponent(id)}`

/** A slot with no place left: booking has closed (1 h before) or it is full. */
export function slotStatus(slot, closesMinutes, now = Date.now()) {
  if (slot.available > 0) return { open: true, text: `余 ${slot.available}` }
  const closed = Date.parse(slot.starts_at) - closesMinutes * 60000 <= now
  return { open: false, text: closed ? '已截止' : '已约满' }
}
