import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf, useSessionStore, type Role } from '@/stores/session'

const MEMBERS: Role[] = ['member', 'inspector']
const COMMAND: Role[] = ['dispatcher', 'leader', 'admin']
const ALL: Role[] = ['member', 'inspector', 'handler', 'dispatcher', 'leader', 'admin']

declare module 'vue-router' {
  interface RouteMeta {
    title: string
    roles?: Role[]
    public?: boolean
    tab?: boolean
    back?: boolean
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => homeOf(useSessionStore().role) },
  { path: '/login', component: () => import('@/pages/shared/LoginPage.vue'), meta: { title: '登录', public: true } },
  { path: '/report', component: () => import('@/pages/member/ReportPage.vue'), meta: { title: '上报', roles: MEMBERS, tab: true } },
  { path: '/my-reports', component: () => import('@/pages/member/MyReportsPage.vue'), meta: { title: '我的上报', roles: MEMBERS, tab: true } },
  { path: '/my-reports/:id', component: () => import('@/pages/member/ReportDetailPage.vue'), meta: { title: '上报详情', roles: MEMBERS, back: true } },
  { path: '/verify', component: () => import('@/pages/inspector/VerifyListPage.vue'), meta: { title: '核查', roles: ['inspector'], tab: true } },
  { path: '/tasks', component: () => import('@/pages/handler/TasksPage.vue'), meta: { title: '任务', roles: ['handler'], tab: true } },
  { path: '/command/queue', component: () => import('@/pages/command/QueuePage.vue'), meta: { title: '派单', roles: COMMAND, tab: true } },
  { path: '/command/orders', component: () => import('@/pages/command/OrdersPage.vue'), meta: { title: '工单', roles: COMMAND, tab: true } },
  { path: '/orders/:id', component: () => import('@/pages/shared/OrderDetailPage.vue'), meta: { title: '工单详情', roles: ALL, back: true } },
  { path: '/orders/:id/step/:step', component: () => import('@/pages/shared/StepPage.vue'), meta: { title: '办理', roles: ALL, back: true } },
  { path: '/me/quota', component: () => import('@/pages/member/QuotaPage.vue'), meta: { title: '本周任务', roles: MEMBERS, back: true } },
  { path: '/members/:id/quota', component: () => import('@/pages/member/QuotaPage.vue'), meta: { title: '网格员考核', roles: [...MEMBERS, ...COMMAND], back: true } },
  { path: '/leaderboard', component: () => import('@/pages/member/LeaderboardPage.vue'), meta: { title: '排行榜', roles: [...MEMBERS, ...COMMAND], back: true } },
  { path: '/command/stats', component: () => import('@/pages/command/StatsPage.vue'), meta: { title: '统计', roles: COMMAND, tab: true } },
  { path: '/command/stats/departments/:id', component: () => import('@/pages/command/DepartmentScorePage.vue'), meta: { title: '部门得分', roles: COMMAND, back: true } },
  { path: '/command/orders-of', component: () => import('@/pages/command/OrdersOfPage.vue'), meta: { title: '统计工单', roles: COMMAND, back: true } },
  { path: '/inbox', component: () => import('@/pages/shared/InboxPage.vue'), meta: { title: '消息', roles: ALL, tab: true } },
  { path: '/me', component: () => import('@/pages/shared/MePage.vue'), meta: { title: '我的', roles: ALL, tab: true } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const session = useSessionStore()
  if (to.meta.public) return session.loggedIn && to.path === '/login' ? homeOf(session.role) : true
  if (!session.loggedIn) return { path: '/login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.meta.roles && session.role && !to.meta.roles.includes(session.role)) return homeOf(session.role)
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 网格通` : '网格通'
})

export interface Tab {
  to: string
  label: string
  icon: string
  badge?: 'inbox' | 'outbox'
}

/** The bottom tab bar of each role. */
export function tabsOf(role: Role | null): Tab[] {
  const inbox: Tab = { to: '/inbox', label: '消息', icon: 'chat-o', badge: 'inbox' }
  const me: Tab = { to: '/me', label: '我的', icon: 'user-o' }
  switch (role) {
    case 'member':
      return [{ to: '/report', label: '上报', icon: 'photograph' }, { to: '/my-reports', label: '我的上报', icon: 'orders-o', badge: 'outbox' }, inbox, me]
    case 'inspector':
      return [{ to: '/report', label: '上报', icon: 'photograph' }, { to: '/my-reports', label: '我的上报', icon: 'orders-o', badge: 'outbox' }, { to: '/verify', label: '核查', icon: 'passed' }, inbox, me]
    case 'handler':
      return [{ to: '/tasks', label: '任务', icon: 'todo-list-o' }, inbox, me]
    case 'dispatcher':
    case 'leader':
    case 'admin':
      return [{ to: '/command/queue', label: '派单', icon: 'send-gift-o' }, { to: '/command/orders', label: '工单', icon: 'records-o' }, { to: '/command/stats', label: '统计', icon: 'chart-trending-o' }, inbox, me]
    default:
      return []
  }
}

/**
 * Loads the code of the role's screens once the app is idle, so they open offline even where no
 * service worker caches them (WeChat's in-app browser).
 */
export function prefetchScreens(role: Role | null): void {
  if (!role) return
  const wanted = new Set(['/orders/:id', '/orders/:id/step/:step', '/my-reports/:id', ...tabsOf(role).map((t) => t.to)])
  const load = () => {
    for (const route of routes) {
      const component = (route as { component?: unknown }).component
      if (wanted.has(route.path) && typeof component === 'function') void (component as () => Promise<unknown>)().catch(() => undefined)
    }
  }
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback
  if (idle) idle(load)
  else setTimeout(load, 1500)
}
