// The one client for the OneTrip API (/api/v1). JSON in, JSON out; every failure becomes an
// ApiError carrying the server's error body: {code, message, errors, status}.

const BASE_URL = '/api/v1'

// The access token lives in memory only, never in localStorage, so it leaves with the tab;
// after a reload the session is restored from the HttpOnly refresh cookie (src/session.js).
let accessToken = null
// The business (credit code) the person acts for, sent as X-Acting-For on every request.
let actingFor = null
// Set by the session module: how to get a new access token, and what to do when that fails.
let auth = { refresh: null, onSessionEnded: () => {}, onActingForRejected: () => {} }

export function setAccessToken(token) {
  accessToken = token || null
}

export function setActingFor(creditCode) {
  actingFor = creditCode || null
}

export function configureAuth(hooks) {
  auth = { ...auth, ...hooks }
}

export class ApiError extends Error {
  constructor({ status, code, message, errors = {}, retryAfter = null }) {
    super(message)
    this.name = 'ApiError'
    this.status = status // HTTP status, 0 when the server could not be reached
    this.code = code // stable machine code, e.g. "validation_error"
    this.errors = errors // field errors: {field: [message, ...]}
    this.retryAfter = retryAfter // seconds, from Retry-After on a 429
  }

  /** The first message for `field`, or undefined. */
  fieldError(field) {
    return this.errors?.[field]?.[0]
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

// `form` (FormData) goes as multipart, the browser sets its boundary; `as: 'blob'` answers the raw
// body (an image), for what an <img> cannot fetch itself because it needs the access token.
async function send(method, path, { body, form, query, headers, signal, as }) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: as === 'blob' ? '*/*' : 'application/json', ...headers },
    signal,
  }
  if (form !== undefined) {
    init.body = form
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`
  if (actingFor && !('X-Acting-For' in init.headers)) init.headers['X-Acting-For'] = actingFor

  let response
  try {
    response = await fetch(buildUrl(path, query), init)
  } catch (error) {
    if (error.name === 'AbortError') throw error
    throw new ApiError({ status: 0, code: 'network_error', message: '网络连接失败，请检查网络后重试' })
  }
  if (response.ok && as === 'blob') return { data: await response.blob(), response }
  const data = await readJson(response)
  if (response.ok) return { data, response }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After'), 10)
  throw new ApiError({
    status: data?.status ?? response.status,
    code: data?.code ?? 'unexpected_response',
    message: data?.message ?? '服务暂不可用，请稍后再试',
    errors: data?.errors ?? {},
    retryAfter: Number.isNaN(retryAfter) ? null : retryAfter,
  })
}

// The /auth endpoints manage the session themselves: a 401 there is an answer, not an expired token.
const isAuthPath = (path) => path.replace(/^\//, '').startsWith('auth/')

async function sendWithSession(method, path, options) {
  try {
    return await send(method, path, options)
  } catch (error) {
    if (!(error instanceof ApiError) || isAuthPath(path)) throw error
    if (error.status === 401 && error.code === 'invalid_token' && auth.refresh) {
      // The 15-minute access token ran out: get a new one once, then ask again.
      try {
        await auth.refresh()
      } catch {
        auth.onSessionEnded()
        throw error
      }
      return send(method, path, options).catch((retryError) => {
        if (retryError.status === 401) auth.onSessionEnded()
        throw retryError
      })
    }
    if (error.status === 401 && accessToken) auth.onSessionEnded()
    if (error.status === 403 && error.code === 'not_authorized_for_org') auth.onActingForRejected()
    throw error
  }
}

export async function request(method, path, options = {}) {
  return (await sendWithSession(method, path, options)).data
}

/** A paginated list: {items, total, totalPages} from the body and the X-Pagination header. */
async function page(path, { query, ...options } = {}) {
  const { data, response } = await sendWithSession('GET', path, { ...options, query })
  let pagination = {}
  try {
    pagination = JSON.parse(response.headers.get('X-Pagination') || '{}')
  } catch {
    // no header: the caller stops when a page comes back short
  }
  return { items: data || [], total: pagination.total ?? null, totalPages: pagination.total_pages ?? null }
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
  /** POST a multipart form: {field: string | File}. */
  upload: (path, fields, options) => {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    return request('POST', path, { ...options, form })
  },
  /** GET a binary body (an image) as a Blob. */
  blob: (path, options) => request('GET', path, { ...options, as: 'blob' }),
  page,
}
