// The catalogue's words as people read them, and the departments' names (asked once per visit).

import { ref } from 'vue'
import { api } from './api/client'

export const FOR_WHOM = { person: '个人', business: '法人' }
export const TAGS = ['马上办', '网上办', '就近办', '一次办'] // the 四办 classification
export const KINDS = { immediate: '即办件', promised: '承诺件' }
export const DELIVERY = { ems: '免费邮寄（EMS）', pickup: '到大厅领取' }
export const ONLINE_DEPTH = {
  1: '网上查看办事指南',
  2: '网上预审',
  3: '网上受理，到现场取件',
  4: '全程网上办理',
}
export const MATERIAL_SOURCES = {
  certificate: '电子证照自动调取',
  registry: '部门数据自动核验',
  form: '在线承诺或声明',
  upload: '需上传电子件',
}

/** "3 个工作日" or "当场办结" for 0 days. */
export function formatDays(days) {
  return days ? `${days} 个工作日` : '当场办结'
}

/** "不用跑" for 0 visits, "最多跑 1 次" otherwise. */
export function formatVisits(visits) {
  return visits ? `最多跑 ${visits} 次` : '一次不用跑'
}

const departments = ref({}) // code → {code, name, short_name}
let asking = null

/** Loads the departments once; the ref fills in when the answer comes. */
export function useDepartments() {
  asking ??= api
    .get('/catalog/departments')
    .then((list) => {
      departments.value = Object.fromEntries(list.map((department) => [department.code, department]))
    })
    .catch(() => {
      asking = null // offline: ask again next time
    })
  return departments
}

/** A department's full name, or its code while the names are loading. */
export function departmentName(code) {
  return departments.value[code]?.name || code
}
