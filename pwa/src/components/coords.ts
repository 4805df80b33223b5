// Converting between WGS-84 (what the API stores) and a tile layer's system: 高德/腾讯 tiles
// are GCJ-02, 百度 BD-09, 天地图 WGS-84-like. With no tile layer nothing is converted.
import gcoord from 'gcoord'

export type Crs = 'wgs84' | 'gcj02' | 'bd09'

const SYSTEMS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

/** [lng, lat] from one system to another. */
export function convert(lngLat: [number, number], from: Crs, to: Crs): [number, number] {
  if (from === to) return lngLat
  const [lng, lat] = gcoord.transform(lngLat, SYSTEMS[from], SYSTEMS[to]) as [number, number]
  return [lng, lat]
}
