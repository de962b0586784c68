import { createRouter, createWebHistory } from 'vue-router'
import HomeView from '../views/home/HomeView.vue'
import { isLoggedIn, onSessionEnded, realNameLevel, restoreSession } from '../session'

// meta: title (the nav bar's heading), back (where the back button goes when there is no history),
// requiresAuth (logged in), minLevel (real-name level), guestOnly (login pages).
const routes = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  {
    path: '/services',
    name: 'services',
    component: () => import('../views/services/ServicesView.vue'),
    meta: { title: '办事' },
  },
  {
    // No component: the children render in App's <router-view>; the 我的 tab stays selected.
    path: '/me',
    children: [
      { path: '', name: 'me', component: () => import('../views/me/MeView.vue'), meta: { title: '我的' } },
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

router.beforeEach(async (to) => {
  const { requiresAuth, guestOnly, minLevel } = to.meta
  if (!requiresAuth && !guestOnly) return true
  await restoreSession() // after a reload: wait for the refresh cookie's answer
  if (requiresAuth && !isLoggedIn.value) return { name: 'login', query: { redirect: to.fullPath } }
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
  if (current.meta.requiresAuth) router.replace({ name: 'login', query: { redirect: current.fullPath } })
})
