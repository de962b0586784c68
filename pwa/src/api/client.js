// The one client for the OneTrip API (/api/v1). JSON in, JSON out; every failure becomes an
// ApiError carrying the server's error body: {code, message, errors, status}.

const BASE_URL = '/api/v1'

// The access token lives in memory only, never in localStorage, so it leaves with the tab.
let accessToken = null

export function setAccessToken(token) {
  accessToken = token || null
}

export class ApiError extends Error {
  constructor({ status, code, message, errors = {} }) {
    super(message)
    this.name = 'ApiError'
    this.status = status // HTTP status, 0 when the server could not be reached
    this.code = code // stable machine code, e.g. "validation_error"
    this.errors = errors // field errors: {field: [message, ...]}
  }
}

function buildUrl(path, query) {
  const url = `${BASE_URL}${path.startsWith('/') ? path : `/${path}`}`
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, value)
  }
  const search = params.toString()
  return search ? `${url}?${search}` : url
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') || ''
  if (response.status === 204 || !type.includes('json')) return null
  try {
    return await response.json()
  } catch {
    return null
  }
}

export async function request(method, path, { body, query, headers, signal } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...headers },
    signal,
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`

  let response
  try {
    response = await fetch(buildUrl(path, query), init)
  } catch (error) {
    if (error.name === 'AbortError') throw error
    throw new ApiError({ status: 0, code: 'network_error', message: '网络连接失败，请检查网络后重试' })
  }

  const data = await readJson(response)
  if (response.ok) return data
  throw new ApiError({
    status: data?.status ?? response.status,
    code: data?.code ?? 'unexpected_response',
    message: data?.message ?? '服务暂不可用，请稍后再试',
    errors: data?.errors ?? {},
  })
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
}
