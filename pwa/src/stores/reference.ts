// Reference data the screens share: client config, grids, categories, departments, code labels.
// Kept in localStorage so the report screen's map works offline.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api'
import type { Category, ClientConfig, CodeLists, Department, Grid } from '@/api/types'

function cached<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(`gridline.${key}`)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}

function keep(key: string, value: unknown) {
  try {
    localStorage.setItem(`gridline.${key}`, JSON.stringify(value))
  } catch {
    // Storage full: the data is fetched again next time.
  }
}

export const useReferenceStore = defineStore('reference', () => {
  const config = ref<ClientConfig | null>(cached('config'))
  const grids = ref<Grid[]>(cached('grids') ?? [])
  const categories = ref<Category[]>(cached('categories') ?? [])
  const departments = ref<Department[]>(cached('departments') ?? [])
  // GET /codes, kept for offline starts; until it first arrives the API's own labels
  // (status_label, clock.label, …) carry the lists and a code shows as itself.
  const codes = ref<CodeLists>(cached<CodeLists>('codes') ?? {})

  async function loadConfig() {
    try {
      config.value = await api.clientConfig()
      keep('config', config.value)
    } catch {
      // offline: cached
    }
  }

  // Loaded once per start (the report screen reloads it for the map's settings).
  let configOnce: Promise<void> | null = null
  function ensureConfig(): Promise<void> {
    configOnce ??= loadConfig()
    return configOnce
  }

  async function loadGrids() {
    try {
      grids.value = (await api.grids()).items
      keep('grids', grids.value)
    } catch {
      // offline: cached
    }
  }

  async function loadCategories() {
    if (categories.value.length) return
    try {
      categories.value = (await api.categories()).items
      keep('categories', categories.value)
    } catch {
      // offline: cached
    }
  }

  async function loadDepartments() {
    if (departments.value.length) return
    try {
      departments.value = (await api.departments()).items
      keep('departments', departments.value)
    } catch {
      // offline
    }
  }

  async function loadCodes() {
    try {
      codes.value = await api.codes()
      keep('codes', codes.value)
    } catch {
      // offline: the cached lists stay
    }
  }

  function label(list: string, code: string | null | undefined): string {
    if (!code) return ''
    return codes.value[list]?.find((c) => c.code === code)?.label ?? code
  }

  function gridName(id: number | null | undefined): string {
    return grids.value.find((g) => g.id === id)?.name ?? (id ? `网格 ${id}` : '')
  }

  return { config, ensureConfig, grids, categories, departments, codes, loadConfig, loadGrids, loadCategories, loadDepartments, loadCodes, label, gridName }
})
