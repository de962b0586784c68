// How an application (申请) reads on the screen: its states, where each value came from, the trust
// level of each material, the steps of its history, and its form in sections.

export const STATE_TAGS = {
  draft: 'default',
  submitted: 'primary',
  in_review: 'primary',
  needs_correction: 'warning',
  approved: 'success',
  rejected: 'danger',
  issued: 'success',
  results_issued: 'success',
  completed: 'success',
  withdrawn: 'default',
}

/** The tag beside a prefilled value: registry and e-certificate values are checked (已核验). */
export function sourceTag(field) {
  if (!field.source) return null
  const kind = field.source.split(':')[0]
  if (kind === 'registry' || kind === 'certificate') {
    return { text: `已核验·${field.source_label || '政府核验'}`, type: 'success' }
  }
  if (kind === 'previous_application') return { text: '上次申请', type: 'warning' }
  return { text: field.source_label || '本人填报', type: 'primary' }
}

/** 国办函〔2016〕108号: how far an approver can rely on a material without checking it. */
export const TRUST = {
  A: { label: 'A 级', note: '权威电子证照或部门数据，可直接使用', type: 'success' },
  B: { label: 'B 级', note: '已在窗口核验', type: 'primary' },
  C: { label: 'C 级', note: '申请人上传，需核对原件', type: 'warning' },
  D: { label: 'D 级', note: '申请人承诺，事后核查', type: 'default' },
}

export const MATERIAL_STATUS = {
  missing: { text: '待提供', type: 'danger' },
  attached: { text: '已自动调取', type: 'success' },
  declared: { text: '已承诺', type: 'primary' },
  uploaded: { text: '已上传', type: 'primary' },
  pending: { text: '办结后自动取得', type: 'default' }, // issued by another item of the same application
}

export const ACTIONS = {
  submit: '提交申请',
  accept: '窗口受理',
  request_correction: '要求补正',
  resubmit: '提交补正材料',
  approve: '审批通过',
  reject: '不予批准',
  issue: '出具电子证照',
  withdraw: '撤回申请',
}

// The application's own state, for its history (the API labels the current state itself).
const STATE_LABELS = {
  draft: '草稿',
  submitted: '已提交',
  in_review: '审批中',
  needs_correction: '待补正',
  approved: '已通过',
  rejected: '未通过',
  issued: '已出证',
  results_issued: '已出证',
  completed: '已办结',
  withdrawn: '已撤回',
}
const WHOLE_APPLICATION = ['submit', 'accept', 'withdraw']

/** One line of the history: what happened to which item, or what the application as a whole became. */
export function eventTitle(event, itemName) {
  const action = ACTIONS[event.action] || event.action
  if (event.sub_id) return itemName ? `${action}：${itemName}` : action
  if (WHOLE_APPLICATION.includes(event.action)) return action
  return `办件状态变为「${STATE_LABELS[event.to] || event.to}」` // follows an item's change
}

export const ACTORS = { citizen: '申请人', clerk: '综合窗口', approver: '审批部门', system: '系统' }

// Form sections by the first part of a field's canonical name (applicant.name → 申请人).
const SECTIONS = {
  applicant: '申请人',
  business: '企业信息',
  shop: '经营场所',
  signboard: '户外招牌',
  fire: '消防安全',
  baby: '新生儿',
  birth: '出生信息',
  mother: '母亲',
  father: '父亲',
  spouse: '配偶',
  retiree: '退休人员',
  buyer: '买方',
  seller: '卖方',
  property: '不动产',
  tax: '税费',
  bank: '银行账户',
  seal: '印章',
  hr: '用工信息',
  vaccination: '预防接种',
  card: '社会保障卡',
  housing_fund: '住房公积金',
  water: '供水',
  power: '供电',
  gas: '燃气',
}

export const sectionOf = (name) => SECTIONS[name.split('.')[0]] || '其他信息'

/** [{title, fields}] in the order the form first names each section. */
export function inSections(fields) {
  const sections = new Map()
  for (const field of fields) {
    const title = sectionOf(field.name)
    if (!sections.has(title)) sections.set(title, [])
    sections.get(title).push(field)
  }
  return [...sections].map(([title, list]) => ({ title, fields: list }))
}

// The registry names an organisation's type and a person's sex by code; people read their names.
const ORG_TYPES = { company: '企业', sole_trader: '个体工商户' }
const SEXES = { M: '男', F: '女' }

/** A value as the person reads it: 是/否, a type's name, or 未填写. */
export function displayValue(field, value = field.value) {
  if (value === null || value === undefined || value === '') return '未填写'
  if (field.type === 'boolean') return value ? '是' : '否'
  if (field.name === 'business.type') return ORG_TYPES[value] || value
  if (field.name.endsWith('.sex')) return SEXES[value] || value
  return String(value)
}

/** "materials.fire_floor_plan" → the material's name; a field's name → its label. */
export function correctionItemLabel(name, application) {
  if (name.startsWith('materials.')) {
    const code = name.slice('materials.'.length)
    return application.materials.find((m) => m.code === code)?.name || code
  }
  return application.fields.find((f) => f.name === name)?.label || name
}

/** What the API takes for a typed value: numbers as numbers, blanks as null (cleared). */
export function toApiValue(field, raw) {
  if (raw === null || raw === undefined) return null
  if (typeof raw === 'string' && !raw.trim()) return null
  if ((field.type === 'number' || field.type === 'integer') && typeof raw === 'string') {
    const number = Number(raw.trim())
    return Number.isFinite(number) ? number : raw // the server names what is wrong with it
  }
  return raw
}

/** What an input shows for a stored value. */
export function toInputValue(field, value) {
  if (value === null || value === undefined) return field.type === 'boolean' ? null : ''
  if (field.type === 'number' || field.type === 'integer') return String(value)
  return value
}

/** How close an item is to its deadline (a Beijing day, "YYYY-MM-DD"), against today's `today`. */
export function deadlineFlag(sub, today) {
  if (!sub.deadline_on || sub.state !== 'in_review') return null
  if (sub.overdue || sub.deadline_on < today) return { text: '已超期', type: 'danger' }
  if (sub.deadline_on === today) return { text: '今日到期', type: 'warning' }
  return null
}
