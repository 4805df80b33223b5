import { ref } from 'vue'

export interface Fix {
  lat: number
  lng: number
  accuracy: number | null
  crs: 'wgs84' | 'gcj02'
  manual: boolean
}

/** The phone's position (browser geolocation is WGS-84). */
export function useGeolocation() {
  const fix = ref<Fix | null>(null)
  const error = ref('')
  const locating = ref(false)

  function locate(): Promise<void> {
    // Inside WeChat with a configured JS-SDK, its position is GCJ-02 and is sent as such.
    const wx = (window as { wx?: { getLocation?: (o: Record<string, unknown>) => void } }).wx
    if (wx?.getLocation) {
      return new Promise((resolve) => {
        wx.getLocation!({
          type: 'gcj02',
          success: (r: { latitude: number; longitude: number; accuracy?: number }) => {
            fix.value = { lat: r.latitude, lng: r.longitude, accuracy: r.accuracy ?? null, crs: 'gcj02', manual: false }
            resolve()
          },
          fail: () => resolve(),
        })
      })
    }
    return new Promise((resolve) => {
      if (!('geolocation' in navigator)) {
        error.value = '此浏览器无法定位，请在地图上点选位置'
        return resolve()
      }
      locating.value = true
      error.value = ''
      navigator.geolocation.getCurrentPosition(
        (position) => {
          fix.value = { lat: position.coords.latitude, lng: position.coords.longitude, accuracy: position.coords.accuracy, crs: 'wgs84', manual: false }
          locating.value = false
          resolve()
        },
        (e) => {
          error.value = e.code === e.PERMISSION_DENIED ? '未获得定位权限，请在地图上点选位置' : '定位失败，请在地图上点选位置'
          locating.value = false
          resolve()
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
      )
    })
  }

  function setManual(point: { lat: number; lng: number }) {
    fix.value = { ...point, accuracy: null, crs: 'wgs84', manual: true }
  }

  return { fix, error, locating, locate, setManual }
}
