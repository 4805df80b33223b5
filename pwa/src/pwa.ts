// The service worker, registered from this module once the router is ready (the CSP allows no
// inline script). Browsers without service workers (WeChat's in-app browser) still work: the
// outbox has its own retry triggers.
export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return
  const { registerSW } = await import('virtual:pwa-register')
  registerSW({ immediate: true })
}
