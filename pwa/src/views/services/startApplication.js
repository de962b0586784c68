// 开始办理 on a bundle's or an item's guide: the checks a person would otherwise meet only at the
// end (logged in, real-name level, acting for a business), then a draft, or the draft left last time.

import { showConfirmDialog } from 'vant'
import 'vant/es/dialog/style'
import { api } from '../../api/client'
import { formatDateTime } from '../../datetime'
import { isLoggedIn, realNameLevel, restoreSession, session } from '../../session'

async function agrees(options) {
  try {
    await showConfirmDialog({ cancelButtonText: '取消', ...options })
    return true
  } catch {
    return false
  }
}

async function draftLeftLastTime(guide) {
  const actingFor = session.actingFor?.credit_code ?? null
  const { items } = await api.page('/applications', { query: { page: 1, page_size: 20 } })
  return items.find((a) => a.state === 'draft' && a.name === guide.name && (a.acting_for ?? null) === actingFor)
}

/**
 * target: {bundle: code} or {item: code}; guide: {name, for_whom, acr_level} of what is applied for.
 * Resolves when the person is on their way to the next page (or stayed, having said no).
 */
export async function startApplication(router, target, guide) {
  await restoreSession()
  const here = router.currentRoute.value.fullPath
  if (!isLoggedIn.value) return router.push({ name: 'login', query: { redirect: here } })
  if (realNameLevel.value < guide.acr_level) {
    const go = await agrees({
      title: '需要先完成实名认证',
      message: `办理「${guide.name}」需要实名认证（L${guide.acr_level}），只需填写姓名和身份证号，约1分钟。`,
      confirmButtonText: '去实名认证',
    })
    return go ? router.push({ name: 'real-name', query: { redirect: here } }) : undefined
  }
  if (guide.for_whom === 'business' && !session.actingFor) {
    const go = await agrees({
      title: '请以企业身份办理',
      message: '这是企业（法人）办理的事项。请先在「我的企业」中选择您代表的企业或个体工商户。',
      confirmButtonText: '去选择企业',
    })
    return go ? router.push({ name: 'business' }) : undefined
  }
  const draft = await draftLeftLastTime(guide)
  if (draft) {
    const resume = await agrees({
      title: '您有一份未提交的草稿',
      message: `${formatDateTime(draft.created_at)} 开始填写的「${draft.name}」还没有提交，要接着填写吗？`,
      confirmButtonText: '继续填写',
      cancelButtonText: '重新开始',
    })
    if (resume) return router.push({ name: 'apply', params: { id: draft.id } })
  }
  const application = await api.post('/applications', target)
  return router.push({ name: 'apply', params: { id: application.id } })
}
