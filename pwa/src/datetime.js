// The API speaks UTC ISO strings; people read times in Beijing time, whatever the phone's zone.

const TIME_ZONE = 'Asia/Shanghai'

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const date = new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' })
const isoDate = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }) // YYYY-MM-DD

const parse = (iso) => (iso ? new Date(iso) : null)

/** "2026/11/25 21:12" */
export function formatDateTime(iso) {
  const value = parse(iso)
  return value ? dateTime.format(value) : ''
}

/** "2026年11月25日" */
export function formatDate(iso) {
  const value = parse(iso)
  return value ? date.format(value) : ''
}

/** Today (or `days` later) in Beijing as YYYY-MM-DD, for <input type="date">. */
export function beijingDate(days = 0) {
  return isoDate.format(new Date(Date.now() + days * 86400000))
}

/** The last second of a Beijing calendar day (YYYY-MM-DD) as a UTC ISO string. */
export function endOfBeijingDay(day) {
  return new Date(`${day}T23:59:59+08:00`).toISOString()
}

/** "45 秒", "3 分钟", "2 小时": how long to wait, in plain words. */
export function formatWait(seconds) {
  if (seconds < 60) return `${seconds} 秒`
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} 分钟`
  return `${Math.ceil(seconds / 3600)} 小时`
}

/** "2026年12月3日" from a Beijing calendar day "2026-12-03" (deadlines are days, not instants). */
export function formatDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '')
  return match ? `${match[1]}年${Number(match[2])}月${Number(match[3])}日` : ''
}

const clock = new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']

/** "09:30" in Beijing. */
export function formatTime(iso) {
  const value = parse(iso)
  return value ? clock.format(value) : ''
}

/** {date: "12月1日", weekday: "周二"} for a Beijing calendar day "2026-12-01" (a slot's day). */
export function dayParts(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '')
  if (!match) return { date: '', weekday: '' }
  const weekday = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).getUTCDay()
  return { date: `${Number(match[2])}月${Number(match[3])}日`, weekday: WEEKDAYS[weekday] }
}

/** "12月1日 周二 09:00–09:30": a slot as people read it. */
export function formatSlot(startsAt, endsAt) {
  const { date, weekday } = dayParts(isoDate.format(parse(startsAt)))
  return `${date} ${weekday} ${formatTime(startsAt)}–${formatTime(endsAt)}`
}
