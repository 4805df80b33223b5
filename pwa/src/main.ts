import { createPinia } from 'pinia'
import { showToast } from 'vant'
import { createApp, watch } from 'vue'
// Styles of Vant's function APIs (components' styles come with their auto-imports).
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/image-preview/style'
import './styles.css'
import App from './App.vue'
import { registerServiceWorker } from './pwa'
import { prefetchScreens, router } from './router'
import { useSessionStore } from './stores/session'
import { useOutboxStore } from './stores/outbox'
import { useReferenceStore } from './stores/reference'

const app = createApp(App)
app.use(createPinia())
app.use(router)

const session = useSessionStore()
void session.restore()
void useReferenceStore().ensureConfig()
// The outbox starts at once: reports left from a closed app are sent at start.
void useOutboxStore().start()

// A screen whose code cannot be fetched (offline, no service worker) says so instead of hanging.
router.onError((error: Error) => {
  if (/dynamically imported module|Importing a module script failed|Failed to fetch/i.test(error.message)) {
    showToast('网络不可用，该页面暂时无法打开')
  }
})

router.isReady().then(() => {
  app.mount('#app')
  void registerServiceWorker()
  watch(() => session.role, prefetchScreens, { immediate: true })
})
