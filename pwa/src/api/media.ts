// Media URLs need the Authorization header: fetch once, keep an object URL per path.
import { ApiError } from './http'
import { rawRequest } from './http'

const urls = new Map<string, Promise<string>>()

export function mediaUrl(apiPath: string): Promise<string> {
  const path = apiPath.replace(/^\/api\/v1/, '')
  let url = urls.get(path)
  if (!url) {
    url = (async () => {
      const response = await rawRequest(path)
      if (!response.ok) throw new ApiError(response.status, 'media_error', '图片加载失败')
      return URL.createObjectURL(await response.blob())
    })()
    url.catch(() => urls.delete(path))
    urls.set(path, url)
  }
  return url
}
