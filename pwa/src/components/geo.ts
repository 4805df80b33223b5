import type { Grid } from '@/api/types'

/** The grid whose polygon holds the point, for the watermark preview (the server decides). */
export function gridAt(grids: Grid[], lat: number, lng: number): Grid | null {
  for (const grid of grids) {
    const g = grid.geometry as { type: string; coordinates: number[][][] } | null
    if (g?.type !== 'Polygon') continue
    const ring = g.coordinates[0]
    let inside = false
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]
      const [xj, yj] = ring[j]
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
    }
    if (inside) return grid
  }
  return null
}
