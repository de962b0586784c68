// Money travels as integer fen (分); people read yuan (元) with two decimals.

/** "¥1,280.00" from 128000 fen; "免费" for nothing to pay. */
export function formatFen(fen, { freeText = '免费' } = {}) {
  if (!fen) return freeText
  const yuan = (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  return `¥${yuan}`
}
