// 信息有误 requests as they read on the screen: their status as a tag, values as text.

export const CORRECTION_TAGS = { open: 'warning', fixed: 'success', rejected: 'default' }

/** A value shown or proposed: 是/否 for yes/no, — for none. */
export function correctionValue(value) {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'boolean') return value ? '是' : '否'
  return String(value)
}
