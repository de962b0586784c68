import { createRouter, createWebHistory } from 'vue-router'
import HomeView from '../views/home/HomeView.vue'
import { isLoggedIn, onSessionEnded, realNameLevel, restoreSession, session } from '../session'

// meta: title (the nav bar's heading), back (where the back button goes when there is no history),
// requiresAuth (logged in), minLevel (real-name level), guestOnly (login pages), roles (staff pages:
// any of these roles; logging in for them is the staff login), bare (full screen, no app bars),
// offline (opens when the app started without network: a draft this phone kept).
const routes = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  {
    // 数据看板: public figures; ECharts loads with this route only.
    path: '/stats',
    name: 'stats',
    component: () => import('../views/stats/StatsView.vue'),
    meta: { title: '数据看板', back: '/' },
  },
  {
    // No component: the children render in App's <router-view>; the 办事 tab stays selected.
    path: '/services',
    children: [
      {
        path: '',
        name: 'services',
        component: () => import('../views/services/ServicesView.vue'),
        meta: { title: '办事' },
      },
      {
        path: 'bundles/:code',
        name: 'bundle',
        component: () => import('../views/services/BundleView.vue'),
        props: true,
        meta: { title: '一件事', back: '/services' },
      },
      {
        path: 'items/:code',
        name: 'item',
        component: () => import('../views/services/ItemView.vue'),
        props: true,
        meta: { title: '办事指南', back: '/services' },
      },
      {
        path: 'appointments',
        name: 'book',
        component: () => import('../views/appointments/BookView.vue'),
        meta: { title: '预约办事', back: '/services', requiresAuth: true, minLevel: 2 },
      },
      {
        path: 'apply/:id',
        name: 'apply',
        component: () => import('../views/applications/ApplyView.vue'),
        props: true,
        meta: { title: '填写申请', back: '/me/applications', requiresAuth: true, offline: true },
      },
    ],
  },
  {
    // Notifications link to /applications/<id>: the application's page under 我的办件.
    path: '/applications/:id',
    redirect: (to) => ({ name: 'application', params: { id: to.params.id } }),
  },
  {
    // Booking messages (appointment.called …) link to /appointments/<id>.
    path: '/appointments/:id',
    redirect: (to) => ({ name: 'appointment', params: { id: to.params.id } }),
  },
  {
    // No component: the children render in App's <router-view>; the 我的 tab stays selected.
    path: '/me',
    children: [
      { path: '', name: 'me', component: () => import('../views/me/MeView.vue'), meta: { title: '我的' } },
      {
        path: 'applications',
        name: 'applications',
        component: () => import('../views/applications/MyApplicationsView.vue'),
        meta: { title: '我的办件', back: '/me', requiresAuth: true },
      },
      {
        path: 'applications/:id',
        name: 'application',
        component: () => import('../views/applications/ApplicationView.vue'),
        props: true,
        meta: { title: '办件详情', back: '/me/applications', requiresAuth: true },
      },
      {
        path: 'applications/:id/pay',
        name: 'application-pay',
        component: () => import('../views/payments/PayView.vue'),
        props: true,
        meta: { title: '缴费', back: '/me/applications', requiresAuth: true },
      },
      {
        path: 'applications/:id/receipt',
        name: 'application-receipt',
        component: () => import('../views/payments/ReceiptView.vue'),
        props: true,
        meta: { title: '电子票据', back: '/me/applications', requiresAuth: true },
      },
      {
        path: 'appointments',
        name: 'appointments',
        component: () => import('../views/appointments/MyAppointmentsView.vue'),
        meta: { title: '我的预约', back: '/me', requiresAuth: true },
      },
      {
        path: 'appointments/:id',
        name: 'appointment',
        component: () => import('../views/appointments/AppointmentView.vue'),
        props: true,
        meta: { title: '预约详情', back: '/me/appointments', requiresAuth: true },
      },
      {
        // 好差评: what waits for my rating and the ratings I gave, with the departments' replies
        path: 'evaluations',
        name: 'my-evaluations',
        component: () => import('../views/evaluations/MyEvaluationsView.vue'),
        meta: { title: '我的评价', back: '/me', requiresAuth: true },
      },
      {
        path: 'correction-requests',
        name: 'correction-requests',
        component: () => import('../views/me/CorrectionRequestsView.vue'),
        meta: { title: '信息更正申请', back: '/me', requiresAuth: true },
      },
      {
        path: 'certificates',
        name: 'certificates',
        component: () => import('../views/vault/CertificatesView.vue'),
        meta: { title: '证照夹', back: '/me', requiresAuth: true },
      },
      {
        path: 'real-name',
        name: 'real-name',
        component: () => import('../views/me/RealNameView.vue'),
        meta: { title: '实名认证', back: '/me', requiresAuth: true },
      },
      {
        path: 'messages',
        name: 'messages',
        component: () => import('../views/me/InboxView.vue'),
        meta: { title: '消息', back: '/me', requiresAuth: true },
      },
      {
        path: 'sessions',
        name: 'sessions',
        component: () => import('../views/me/SessionsView.vue'),
        meta: { title: '登录设备', back: '/me', requiresAuth: true },
      },
      {
        path: 'data-use',
        name: 'data-use',
        component: () => import('../views/me/DataUseView.vue'),
        meta: { title: '数据使用记录', back: '/me', requiresAuth: true },
      },
      {
        path: 'business',
        name: 'business',
        component: () => import('../views/me/BusinessView.vue'),
        meta: { title: '我的企业', back: '/me', requiresAuth: true, minLevel: 2 },
      },
      {
        path: 'business/:creditCode/agents',
        name: 'agents',
        component: () => import('../views/me/AgentsView.vue'),
        props: true,
        meta: { title: '经办人管理', back: '/me/business', requiresAuth: true, minLevel: 2 },
      },
    ],
  },
  {
    // Staff work (工作台): the front window's acceptance and the departments' review.
    path: '/staff',
    children: [
      {
        path: '',
        name: 'staff',
        component: () => import('../views/staff/StaffHomeView.vue'),
        meta: { title: '工作台', requiresAuth: true, roles: ['clerk', 'approver', 'courier', 'admin'] },
      },
      {
        path: 'clerk',
        name: 'clerk-queue',
        component: () => import('../views/staff/ClerkQueueView.vue'),
        meta: { title: '综合窗口受理', back: '/staff', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'clerk/:id',
        name: 'clerk-application',
        component: () => import('../views/staff/ClerkApplicationView.vue'),
        props: true,
        meta: { title: '受理审核', back: '/staff/clerk', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'walk-in',
        name: 'walk-in',
        component: () => import('../views/staff/WalkInView.vue'),
        meta: { title: '窗口代办', back: '/staff', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'walk-in/:id',
        name: 'walk-in-application',
        component: () => import('../views/staff/WalkInApplicationView.vue'),
        props: true,
        meta: { title: '代办申请', back: '/staff/walk-in', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'check-in',
        name: 'check-in',
        component: () => import('../views/staff/CheckInView.vue'),
        meta: { title: '预约签到', back: '/staff', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'hall-mail',
        name: 'hall-mail',
        component: () => import('../views/delivery/HallShipmentsView.vue'),
        meta: { title: '邮件对账', back: '/staff', requiresAuth: true, roles: ['clerk', 'admin'] },
      },
      {
        path: 'queue',
        name: 'queue',
        component: () => import('../views/staff/QueueView.vue'),
        meta: { title: '排队叫号', back: '/staff', requiresAuth: true, roles: ['clerk'] },
      },
      {
        path: 'corrections',
        name: 'correction-queue',
        component: () => import('../views/staff/CorrectionQueueView.vue'),
        meta: { title: '信息更正申请', back: '/staff', requiresAuth: true, roles: ['approver'] },
      },
      {
        path: 'corrections/:id',
        name: 'correction-answer',
        component: () => import('../views/staff/CorrectionAnswerView.vue'),
        props: true,
        meta: { title: '答复更正申请', back: '/staff/corrections', requiresAuth: true, roles: ['approver'] },
      },
      {
        // 差评整改: cases from poor ratings (好差评) for the department's approvers, and admins
        path: 'rectifications',
        name: 'rectifications',
        component: () => import('../views/evaluations/RectificationsView.vue'),
        meta: { title: '差评整改', back: '/staff', requiresAuth: true, roles: ['approver', 'admin'] },
      },
      {
        path: 'review',
        name: 'review-queue',
        component: () => import('../views/staff/ReviewQueueView.vue'),
        meta: { title: '部门审批', back: '/staff', requiresAuth: true, roles: ['approver'] },
      },
      {
        path: 'courier',
        name: 'courier-round',
        component: () => import('../views/courier/CourierRoundView.vue'),
        meta: { title: '今日投递', back: '/staff', requiresAuth: true, roles: ['courier'] },
      },
      {
        path: 'courier/:id',
        name: 'courier-shipment',
        component: () => import('../views/courier/CourierShipmentView.vue'),
        props: true,
        meta: { title: '投递', back: '/staff/courier', requiresAuth: true, roles: ['courier'] },
      },
      {
        path: 'review/:id',
        name: 'review-item',
        component: () => import('../views/staff/ReviewItemView.vue'),
        props: true,
        meta: { title: '审批', back: '/staff/review', requiresAuth: true, roles: ['approver'] },
      },
    ],
  },
  {
    // The hall's calling screen on the wall: no login, no app bars (bare).
    path: '/halls/:code/screen',
    name: 'calling-screen',
    component: () => import('../views/halls/CallingScreenView.vue'),
    props: true,
    meta: { title: '叫号屏', bare: true },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/auth/LoginView.vue'),
    meta: { title: '登录', back: '/me', guestOnly: true },
  },
  {
    path: '/staff-login',
    name: 'staff-login',
    component: () => import('../views/auth/StaffLoginView.vue'),
    meta: { title: '工作人员登录', back: '/me', guestOnly: true },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { title: '页面不存在' },
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

/** Where to go after logging in: a path inside the app, never another site. */
export function safeRedirect(value, fallback = '/me') {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : fallback
}

const hasRole = (roles) => roles.some((role) => (session.account?.roles ?? []).includes(role))

router.beforeEach(async (to) => {
  const { requiresAuth, guestOnly, minLevel, roles } = to.meta
  if (!requiresAuth && !guestOnly) return true
  await restoreSession() // after a reload: wait for the refresh cookie's answer
  if (requiresAuth && !isLoggedIn.value) {
    if (to.meta.offline && session.status === 'offline') return true
    return { name: roles ? 'staff-login' : 'login', query: { redirect: to.fullPath } }
  }
  if (roles && !hasRole(roles)) return { name: 'me' }
  if (guestOnly && isLoggedIn.value) return safeRedirect(to.query.redirect)
  if (minLevel && realNameLevel.value < minLevel) return { name: 'real-name', query: { redirect: to.fullPath } }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 一次办` : '一次办'
})

// Expired or ended elsewhere while a page that needs login is open: log in again, then come back.
onSessionEnded(() => {
  const current = router.currentRoute.value
  if (current.meta.requiresAuth) {
    router.replace({ name: current.meta.roles ? 'staff-login' : 'login', query: { redirect: current.fullPath } })
  }
})
