// The app API over fetch (docs/server.md): JSON in and out, the session cookie handled by the
// browser (HttpOnly, SameSite=Strict), the CSRF token sent on every write, and errors as
// RFC 9457 problems with a stable KW_* code.
export class ApiError extends Error {
  /**
   * `code` is a KW_* code from the catalogue, or null when the answer was not a problem document.
   * `extras` holds the members a route adds to its problem (RFC 9457 §3.2 extensions), e.g. the
   * `permissions` of a refused key; read them with a check, they are whatever the server sent.
   */
  constructor(readonly status: number, readonly code: string | null, readonly title: string, readonly detail: string | undefined,
    readonly extras: Readonly<Record<string, unknown>> = {}) {
    super(detail ?? title);
    this.name = 'ApiError';
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code']);

let csrfToken: string | null = null;

/** Every answer that carries a CSRF token (sign-in, GET /session) refreshes the one we send. */
function remember(body: unknown): void {
  const token = (body as { csrfToken?: unknown } | null)?.csrfToken;
  if (typeof token === 'string') csrfToken = token;
}

export function forgetCsrfToken(): void {
  csrfToken = null;
}

async function problemOf(res: Response): Promise<ApiError> {
  try {
    const p = await res.json() as { code?: unknown; title?: unknown; detail?: unknown } | null;
    if (typeof p !== 'object' || p === null) throw new TypeError('not a problem document');
    const extras = Object.fromEntries(Object.entries(p).filter(([k]) => !STANDARD_MEMBERS.has(k)));
    return new ApiError(res.status, typeof p.code === 'string' ? p.code : null, typeof p.title === 'string' ? p.title : res.statusText,
      typeof p.detail === 'string' ? p.detail : undefined, extras);
  } catch {
    return new ApiError(res.status, null, res.statusText || 'The server did not answer as expected.', undefined);
  }
}

/**
 * `body` is either a value for JSON.stringify or bytes already encoded (secretJsonBody), so a
 * request that carries a key never turns it into a string.
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const payload = body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body);
  const res = await fetch(`/api/v1${path}`, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    ...(payload === undefined ? {} : { body: payload as BodyInit }),
  });
  if (!res.ok) throw await problemOf(res);
  const text = await res.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  remember(parsed);
  return parsed as T;
}
