// The end-to-end path through the UI, against the real backend on SQLite:
// a member files a report with a photo and geolocation; files another offline, reloads while
// offline and comes back online: both arrive exactly once; the dispatcher dispatches; the
// handler accepts, first-contacts with a recording, uploads before/after photos and closes;
// the dispatcher verifies and calls back; the member sees the order closed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  apiAs,
  axeCheck,
  DESKTOP,
  launch,
  makeJpeg,
  makeWav,
  overflow,
  PASSWORD,
  PHONE,
  SHOTS,
  shoot,
  smallTapTargets,
  startBackend,
  STREET,
  watchConsole,
} from './harness.mjs'

const RUN = Date.now().toString(36).slice(-4)
const ONLINE_TEXT = `楼道里堆放了很多杂物，堵住了消防通道 ${RUN}`
const OFFLINE_TEXT = `小区门口的路灯不亮了，晚上很黑 ${RUN}`

let backend
let browser
const consoleErrors = []
const a11y = []
const smallTargets = []
const started = Date.now()

before(async () => {
  backend = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await backend?.stop()
  console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)} s, screenshots in ${SHOTS}`)
})

async function open(user, viewport, options = {}) {
  const context = await browser.newContext({
    baseURL: backend.base,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: STREET,
    permissions: ['geolocation', 'camera', 'microphone'],
    ...options,
  })
  const page = await context.newPage()
  const watch = watchConsole(page, user)
  consoleErrors.push(watch.errors)
  await page.goto('/login')
  await page.getByLabel('用户名').fill(user)
  await page.getByLabel('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  return { context, page, watch }
}

/** Screenshots at both sizes, axe, tap targets and overflow for a main screen. */
async function check(page, name) {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  // Toasts close by themselves; check the screen under them.
  await page.locator('.van-toast').waitFor({ state: 'hidden' }).catch(() => undefined)
  await page.waitForTimeout(300)
  for (const v of await axeCheck(page)) a11y.push(`${name}: ${v.impact} ${v.id} (${v.help}) ${v.nodes.join(', ')}`)
  for (const t of await smallTapTargets(page)) smallTargets.push(`${name}: ${t}`)
  const wider = await overflow(page)
  assert.ok(wider <= 0, `${name} overflows the viewport by ${wider}px`)
  await shoot(page, name)
}

async function confirmDialog(page) {
  await page.locator('.van-dialog').getByRole('button', { name: /确定|删除|退出/ }).click()
}

async function fileReport(page, text, photo) {
  // In-app navigation: offline, without a service worker, a page load would fail.
  await page.locator('.van-tabbar-item', { hasText: /^上报$/ }).click()
  await page.waitForURL('**/report')
  await page.getByTestId('photo-input').setInputFiles({ name: 'scene.jpg', mimeType: 'image/jpeg', buffer: photo })
  await page.locator('[data-testid=description] textarea').fill(text)
  await page.getByText('精度 ±12 米').waitFor()
  await page.getByTestId('submit-report').click()
  await page.waitForURL('**/my-reports', { timeout: 10_000 }).catch(async (error) => {
    await page.screenshot({ path: `${SHOTS}/failed-file-report.png` })
    throw error
  })
}

let orderId

test('a member files a report online with a photo and geolocation', { timeout: 150_000 }, async () => {
  const login = await browser.newPage({ viewport: PHONE })
  const loginWatch = watchConsole(login, 'login')
  consoleErrors.push(loginWatch.errors)
  await login.goto(`${backend.base}/login`)
  await login.getByRole('button', { name: '登录' }).waitFor()
  await check(login, '01-login')
  await login.close()

  const { page, context } = await open('demo-member', PHONE)
  assert.match(page.url(), /\/report$/)
  await page.getByRole('tab', { name: '上报' }).or(page.locator('.van-tabbar-item', { hasText: '上报' })).first().waitFor()
  const photo = await makeJpeg(page, 'corridor', 100)
  await page.getByTestId('photo-input').setInputFiles({ name: 'scene.jpg', mimeType: 'image/jpeg', buffer: photo })
  await page.locator('[data-testid=description] textarea').fill(ONLINE_TEXT)
  // The unfinished report is a draft: closing the app (a reload here) keeps text and photo.
  await page.waitForTimeout(1800)
  await page.reload()
  await page.locator('.picker img.thumb').first().waitFor()
  assert.equal(await page.locator('[data-testid=description] textarea').inputValue(), ONLINE_TEXT)
  await page.getByText('精度 ±12 米').waitFor()
  // Live category suggestions from /classify as the member types.
  await page.locator('.suggestions .chip').first().waitFor()
  // A voice note recorded with MediaRecorder from the (synthetic) microphone.
  await page.getByRole('button', { name: '录制语音说明' }).click()
  await page.waitForTimeout(1500)
  await page.getByRole('button', { name: /停止录音/ }).click()
  await page.locator('audio[aria-label="语音说明回放"]').waitFor()
  await page.getByText('在网格地图上调整位置').click()
  await page.locator('.grid-map path.leaflet-interactive').first().waitFor()
  await check(page, '02-report')
  await page.getByTestId('submit-report').click()
  await page.waitForURL('**/my-reports')
  await page.getByTestId('report-row').filter({ hasText: ONLINE_TEXT }).waitFor()
  await check(page, '03-my-reports')

  const member = await apiAs(backend.base, 'demo-member')
  const mine = (await member('/reports?limit=100')).items.filter((r) => r.description === ONLINE_TEXT)
  assert.equal(mine.length, 1)
  assert.ok(Math.abs(mine[0].lat - STREET.latitude) < 1e-4 && Math.abs(mine[0].lng - STREET.longitude) < 1e-4)
  assert.equal(mine[0].accuracy_m, 12)
  assert.equal(mine[0].photos.length, 1)
  assert.ok(mine[0].voice, 'the voice note arrived')
  orderId = mine[0].work_order_id
  assert.ok(orderId)
  await context.close()
})

test('offline: a report filed offline survives a reload and arrives exactly once', { timeout: 150_000 }, async () => {
  const { page, context, watch } = await open('demo-member', PHONE)
  // The service worker must control the page before the network goes away.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }))
  })
  const photo = await makeJpeg(page, 'lamp', 220)
  // Visit the screens once online so their code is cached like any installed app's.
  await page.goto('/my-reports')
  await page.goto('/report')

  watch.state.offline = true
  await context.setOffline(true)
  await fileReport(page, OFFLINE_TEXT, photo)
  const queued = page.getByTestId('outbox-item').filter({ hasText: OFFLINE_TEXT })
  await queued.waitFor()
  await queued.getByText('待发送').waitFor()
  await shoot(page, '04-outbox-offline')

  await page.reload()
  await queued.waitFor()
  await queued.getByText('待发送').waitFor()

  await context.setOffline(false)
  await queued.waitFor({ state: 'detached', timeout: 30_000 })
  watch.state.offline = false
  await page.getByTestId('report-row').filter({ hasText: OFFLINE_TEXT }).waitFor({ timeout: 15_000 })

  const member = await apiAs(backend.base, 'demo-member')
  const all = (await member('/reports?limit=100')).items
  assert.equal(all.filter((r) => r.description === OFFLINE_TEXT).length, 1, 'the offline report arrived exactly once')
  assert.equal(all.filter((r) => r.description === ONLINE_TEXT).length, 1, 'the online report is still there once')
  await page.waitForTimeout(2000)
  assert.equal((await member('/reports?limit=100')).items.filter((r) => r.description === OFFLINE_TEXT).length, 1, 'no late duplicate')
  await context.close()
})

test('without a service worker (WeChat) an offline report is sent when the network returns', { timeout: 150_000 }, async () => {
  const { page, context, watch } = await open('demo-member', PHONE, { serviceWorkers: 'block' })
  const text = `井盖松动，行人容易绊倒 ${RUN}`
  const photo = await makeJpeg(page, 'manhole', 30)
  await page.goto('/my-reports')
  await page.goto('/report')
  // Without a service worker the screens open offline only once the app, idle, has loaded
  // their code (prefetchScreens): let it, as a phone left on the report screen would.
  await page.waitForLoadState('networkidle')
  watch.state.offline = true
  await context.setOffline(true)
  await fileReport(page, text, photo)
  await page.getByTestId('outbox-item').filter({ hasText: text }).waitFor()
  await context.setOffline(false)
  await page.getByTestId('outbox-item').filter({ hasText: text }).waitFor({ state: 'detached', timeout: 30_000 })
  watch.state.offline = false
  const member = await apiAs(backend.base, 'demo-member')
  assert.equal((await member('/reports?limit=100')).items.filter((r) => r.description === text).length, 1)
  await context.close()
})

test('the dispatcher dispatches the queued report', { timeout: 150_000 }, async () => {
  const { page, context } = await open('demo-dispatcher', DESKTOP)
  assert.match(page.url(), /\/command\/queue$/)
  const card = page.getByTestId('queue-item').filter({ hasText: ONLINE_TEXT })
  await card.waitFor()
  await page.locator('.countdown').first().waitFor()
  await check(page, '05-dispatch-queue')
  await card.getByTestId('open-dispatch').click()
  await page.locator('.dispatch-popup').getByTestId('dispatch-category').waitFor()
  await shoot(page, '06-dispatch-dialog')
  await page.locator('.dispatch-popup').getByTestId('dispatch-submit').click()
  await card.waitFor({ state: 'detached' })

  const dispatcher = await apiAs(backend.base, 'demo-dispatcher')
  const order = await dispatcher(`/workorders/${orderId}`)
  assert.equal(order.status, 'dispatched')
  assert.equal(order.lead_department?.name, '第一片区')
  await page.goto('/command/orders')
  await page.getByTestId('order-row').first().waitFor()
  await check(page, '07-command-orders')
  await context.close()
})

async function firstContact(page) {
  await page.locator('[data-step="first-contact"]').click()
  await page.getByTestId('recording-input').setInputFiles({ name: 'call.wav', mimeType: 'audio/wav', buffer: makeWav(1) })
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)
}

test('the handler accepts; the command center and the handler record their first contacts', { timeout: 150_000 }, async () => {
  const handler = await open('demo-handler', PHONE)
  const { page } = handler
  assert.match(page.url(), /\/tasks$/)
  const row = page.getByTestId('order-row').filter({ hasText: ONLINE_TEXT })
  await row.waitFor()
  // The dispatched order with its live countdown (the respond clock, nearest deadline first).
  const countdown = row.locator('.countdown')
  await countdown.waitFor()
  assert.match(await countdown.textContent(), /剩余|已超时/)
  await check(page, '08-handler-tasks')
  // Searching its number (full text on the server) finds it, and only it.
  const { number } = await (await apiAs(backend.base, 'demo-handler'))(`/workorders/${orderId}`)
  await page.getByTestId('order-search').locator('input').fill(number)
  await page.waitForURL((url) => url.searchParams.get('q') === number)
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('[data-testid=order-row]')]
    return rows.length === 1 && rows[0].textContent.includes(n)
  }, number)
  await shoot(page, '08b-handler-search')
  await row.click()
  await page.waitForURL(`**/orders/${orderId}`)
  await page.locator('.countdown').first().waitFor()
  await check(page, '09-order-detail')
  await page.locator('[data-step="accept"]').click()
  await confirmDialog(page)
  await page.getByTestId('order-status').filter({ hasText: '已接单' }).waitFor()

  // zhenru: the command center's level first, with its call recording.
  const dispatcher = await open('demo-dispatcher', DESKTOP)
  await dispatcher.page.goto(`/orders/${orderId}`)
  await firstContact(dispatcher.page)
  await dispatcher.page.locator('.timeline').getByText('城运中心层级').waitFor()
  await dispatcher.context.close()

  await page.reload()
  await firstContact(page)
  await page.getByTestId('order-status').filter({ hasText: '处置中' }).waitFor()
  await handler.context.close()
})

test('the handler checks in, uploads before and after photos and closes', { timeout: 150_000 }, async () => {
  const { page, context } = await open('demo-handler', PHONE)
  await page.goto(`/orders/${orderId}`)
  await page.locator('[data-step="check-in"]').click()
  await page.getByText('精度 ±12 米').waitFor()
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)

  const before = await makeJpeg(page, 'before', 10)
  const afterPhoto = await makeJpeg(page, 'after', 140)
  await page.locator('[data-step="evidence"]').click()
  await page.getByRole('radio', { name: '处置前' }).click()
  await page.getByTestId('evidence-input').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: before })
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)

  await page.locator('[data-step="evidence"]').click()
  // The after photo through the camera, with the before photo laid over the view.
  await page.getByRole('button', { name: '对照处置前照片拍摄' }).click()
  await page.locator('.viewfinder video').waitFor()
  await page.waitForFunction(() => (document.querySelector('.viewfinder video')?.videoWidth ?? 0) > 0)
  await page.locator('.viewfinder img.ghost').waitFor()
  await shoot(page, '10-after-photo-camera')
  await page.getByRole('button', { name: '拍摄' }).click()
  await page.locator('.picker img.thumb').first().waitFor()
  await page.getByTestId('evidence-input').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: afterPhoto })
  await page.locator('.picker img.thumb').nth(1).waitFor()
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)

  // The extension form with its rules (not submitted: the order is closed on time).
  await page.goto(`/orders/${orderId}/step/extensions`)
  await page.getByText('延期须写明原因').waitFor()
  await check(page, '10b-extension-form')
  await page.goto(`/orders/${orderId}`)
  await page.locator('[data-step="closure"]').click()
  // Live hints from the server's lint: a forbidden phrasing blocks the submit until rewritten.
  await page.locator('[data-testid=closure-process] textarea').fill('正在协调物业清运杂物')
  await page.getByTestId('closure-lint').getByText('正在').waitFor()
  assert.ok(await page.getByTestId('step-submit').isDisabled())
  await page.locator('[data-testid=closure-process] textarea').fill('接单后当日到现场核实，楼道内杂物已由物业清运完毕，消防通道恢复畅通。')
  await page.locator('[data-testid=closure-basis] input').fill('《上海市消防条例》第二十五条')
  await page.locator('[data-testid=closure-person] input').fill('王承办')
  await page.locator('[data-testid=closure-phone] input').fill('021-52850000')
  await page.getByTestId('closure-lint').waitFor({ state: 'detached' })
  await check(page, '11-closure')
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)
  await page.getByTestId('order-status').filter({ hasText: '待核查' }).waitFor()
  await page.goto('/inbox')
  await page.locator('.van-cell').first().waitFor()
  await check(page, '12-inbox')
  await page.goto('/me')
  await check(page, '13-me')
  await context.close()
})

test('the dispatcher verifies and calls back; the member sees the order closed', { timeout: 150_000 }, async () => {
  const { page, context } = await open('demo-dispatcher', DESKTOP)
  await page.goto(`/orders/${orderId}`)
  await page.locator('.gallery').last().waitFor()
  // The server's warnings for the command center: the test photos carry no EXIF.
  await page.getByTestId('order-warnings').getByText('需要注意').waitFor()
  await check(page, '14-dispatcher-order-detail')
  await page.goto(`/orders/${orderId}/step/supervisions`)
  await page.getByRole('button', { name: '发出督办' }).waitFor()
  await check(page, '14b-supervision-form')
  await page.goto(`/orders/${orderId}`)
  await page.locator('[data-step="verification"]').click()
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)
  await page.getByTestId('order-status').filter({ hasText: '待回访' }).waitFor()
  await page.locator('[data-step="callback"]').click()
  await page.getByTestId('step-submit').click()
  await page.waitForURL(`**/orders/${orderId}`)
  await page.getByTestId('order-status').filter({ hasText: '已结案' }).waitFor()
  await context.close()

  const member = await open('demo-member', PHONE)
  await member.page.goto('/my-reports')
  const row = member.page.getByTestId('report-row').filter({ hasText: ONLINE_TEXT })
  await row.getByText('已结案').waitFor()
  await row.click()
  await member.page.getByTestId('order-status').filter({ hasText: '已结案' }).waitFor()
  await check(member.page, '15-member-report-closed')
  await member.context.close()
})

test('a member sees this week against the quota and the leaderboard', { timeout: 90_000 }, async () => {
  const { page, context } = await open('demo-member', PHONE)
  await page.goto('/me')
  await page.getByTestId('quota-card').waitFor()
  const finds = await page.getByTestId('quota-finds').innerText()
  assert.ok(Number(finds.split('/')[0]) >= 1, `the reports filed above are this week's finds: ${finds}`)
  await check(page, '17-member-quota')
  await page.getByTestId('quota-link').click()
  await page.waitForURL('**/me/quota')
  await page.getByText('积分明细').waitFor()
  await check(page, '18-member-quota-week')
  await page.goto('/leaderboard')
  await page.getByTestId('leaderboard-row').first().waitFor()
  await check(page, '19-leaderboard')
  await context.close()
})

test('the grid chief opens a member of the community and sees their week', { timeout: 90_000 }, async () => {
  const { page, context } = await open('demo-chief', PHONE)
  await page.goto('/me')
  // A chief patrols no grid of its own: no quota card of its own, the community instead.
  await page.getByTestId('chief-board').waitFor()
  await page.getByText('网格长 · demo-chief').waitFor()
  await check(page, '19a-chief-me')
  await page.getByTestId('chief-board').click()
  await page.waitForURL('**/leaderboard?scope=community')
  const row = page.getByTestId('leaderboard-row').filter({ hasText: '张网格' })
  await row.waitFor()
  assert.equal(await page.getByTestId('quota-card').count(), 0)
  await check(page, '19b-chief-community-board')
  await row.click()
  await page.waitForURL('**/members/*/quota?week=*')
  await page.getByTestId('quota-member').filter({ hasText: '张网格' }).waitFor()
  await page.getByTestId('quota-finds').waitFor()
  await page.getByText('积分明细').waitFor()
  await check(page, '19c-chief-member-week')
  await context.close()
})

test('the command center reads the statistics down to the orders and downloads the monthly report', { timeout: 120_000 }, async () => {
  const { page, context } = await open('demo-dispatcher', DESKTOP)
  await page.locator('.van-tabbar-item', { hasText: '统计' }).click()
  await page.waitForURL('**/command/stats')
  await page.getByTestId('figure-orders').waitFor()
  await page.getByTestId('department-row').first().waitFor()
  await page.locator('canvas').first().waitFor()
  await check(page, '20-command-stats')
  await page.getByTestId('department-row').first().click()
  await page.waitForURL('**/command/stats/departments/**')
  await page.getByTestId('score-total').waitFor()
  await check(page, '21-department-score')
  assert.ok((await page.getByTestId('count-row').count()) > 5, 'every count of the scheme is listed')
  // The cover figure opens the period's orders with the filter the server counted with.
  await page.goto('/command/stats')
  await page.getByTestId('figure-orders').click()
  await page.waitForURL('**/command/orders-of**')
  await page.getByTestId('order-row').first().waitFor()
  await check(page, '22-orders-behind-a-count')
  await page.goto('/command/stats')
  const download = page.waitForEvent('download')
  await page.getByTestId('export-monthly').click()
  const file = await download
  assert.match(file.suggestedFilename(), /\.xlsx$/)
  const stream = await file.createReadStream()
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk)
  assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip file')
  await context.close()
})

test("the inspector's verification list opens", { timeout: 60_000 }, async () => {
  const { page, context } = await open('demo-inspector', PHONE)
  await page.locator('.van-tabbar-item', { hasText: '核查' }).click()
  await page.getByText('待核查工单', { exact: true }).waitFor()
  await check(page, '16-inspector-verify')
  await context.close()
})

test('no console errors, no serious accessibility violations, tap targets of 44 px', () => {
  const errors = consoleErrors.flat()
  assert.deepEqual(errors, [], `console errors:\n${errors.join('\n')}`)
  assert.deepEqual(a11y, [], `axe-core:\n${a11y.join('\n')}`)
  assert.deepEqual([...new Set(smallTargets)], [], `tap targets under 44 px:\n${[...new Set(smallTargets)].join('\n')}`)
})
