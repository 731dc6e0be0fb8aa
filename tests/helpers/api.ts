/**
 * The one HTTP client of the tests: requests to the app (`app.request`, no port) or to a real
 * server (`serverTarget`), sent as a caller, with JSON bodies by default and the answer read
 * once into `{ status, type, headers, text, bytes, body }`.
 *
 *   const api = apiClient(app, cast);                  // each request as a caller the policy allows
 *   const a = await api.post('/api/v1/systems', { code: 'S-1', … });
 *   await api.as(cast.callers.leader).get('/api/v1/systems/S-1');
 *   await api.as(null).post('/api/v1/import/systems', form);  // FormData, strings, bytes go as given
 *   await api.post('/api/v1/import/systems', fileForm(csv, 'systems.csv'));
 *   await api.as({ headers: { Cookie: session.cookie } }).form('/console/submit', { _api: '/api/v1/systems', … });
 */

export type Json = Record<string, unknown>;

/** What the client needs of the app: `app.request`. */
export interface RequestTarget {
  request: (path: string, init?: RequestInit) => Response | Promise<Response>;
}

/** A real server at `baseUrl` (e.g. `http://127.0.0.1:4000`), reached with fetch. */
export const serverTarget = (baseUrl: string): RequestTarget => ({ request: (path, init) => fetch(`${baseUrl}${path}`, init) });

/**
 * The app as reached from a client address: every request is given, as the third argument of
 * Hono's `app.request`, the connection @hono/node-server hands the app (the socket's peer).
 */
export const fromAddress = (
  app: { request: (path: string, init?: RequestInit, env?: object) => Response | Promise<Response> },
  remoteAddress: string,
): RequestTarget => {
  const connection = { incoming: { socket: { remoteAddress, remotePort: 40000, remoteFamily: 'IPv4' } } };
  return { request: (path, init) => app.request(path, init, connection) };
};

type HeaderMap = Record<string, string>;

/**
 * Who a request is sent as: a token caller or a signed-in session (both carry their headers),
 * a cast that picks a caller for each method and path, or nobody (null).
 */
export type Caller = { headers: HeaderMap } | { callerFor(method: string, path: string): { headers: HeaderMap } } | null;

export interface SendOptions {
  /** Sent after the caller's; an Authorization header here replaces the caller's credentials. */
  headers?: HeaderMap;
  /** The body's content type; JSON by default, none for FormData and URLSearchParams (set by the request). */
  contentType?: string;
}

export interface Answer<T = Json> {
  status: number;
  /** The content type, '' when there is none. */
  type: string;
  headers: Headers;
  text: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** The body parsed when it is JSON (problem+json included), else `{}`. */
  body: T;
}

export interface ApiClient {
  get<T = Json>(path: string, options?: SendOptions): Promise<Answer<T>>;
  post<T = Json>(path: string, body?: unknown, options?: SendOptions): Promise<Answer<T>>;
  put<T = Json>(path: string, body?: unknown, options?: SendOptions): Promise<Answer<T>>;
  patch<T = Json>(path: string, body?: unknown, options?: SendOptions): Promise<Answer<T>>;
  delete<T = Json>(path: string, body?: unknown, options?: SendOptions): Promise<Answer<T>>;
  send<T = Json>(method: string, path: string, body?: unknown, options?: SendOptions): Promise<Answer<T>>;
  /** POSTs an HTML form as a browser without scripts does: the fields URL-encoded. */
  form<T = Json>(path: string, fields: Record<string, string>, options?: SendOptions): Promise<Answer<T>>;
  /** The unread response, for a test of the response itself (streams, clones, exact bytes). */
  raw(method: string, path: string, body?: unknown, options?: SendOptions): Promise<Response>;
  /** The same client acting as another caller. */
  as(caller: Caller): ApiClient;
}

/** Bodies sent as they are; anything else is sent as JSON. */
const isRaw = (body: unknown) =>
  typeof body === 'string' ||
  body instanceof Uint8Array ||
  body instanceof ArrayBuffer ||
  body instanceof Blob ||
  body instanceof FormData ||
  body instanceof URLSearchParams ||
  body instanceof ReadableStream;

/** The request init for a method, path, body and caller. */
function requestInit(caller: Caller, method: string, path: string, body: unknown, options: SendOptions): RequestInit {
  const extra = options.headers ?? {};
  const ownAuthorization = Object.keys(extra).some((h) => h.toLowerCase() === 'authorization');
  const credentials = !caller || ownAuthorization ? {} : 'callerFor' in caller ? caller.callerFor(method, path).headers : caller.headers;
  const selfTyped = body instanceof FormData || body instanceof URLSearchParams;
  const type: HeaderMap =
    body === undefined || (selfTyped && !options.contentType) ? {} : { 'Content-Type': options.contentType ?? 'application/json' };
  const init: RequestInit = { method, headers: { ...credentials, ...type, ...extra } };
  if (body === undefined) return init;
  init.body = isRaw(body) ? (body as BodyInit) : JSON.stringify(body);
  // A stream is sent as it is read (Node's fetch requires saying so).
  if (body instanceof ReadableStream) Object.assign(init, { duplex: 'half' });
  return init;
}

/** Reads a response once: its text, its bytes and, when it is JSON, its parsed body. */
export async function answerOf<T = Json>(res: Response): Promise<Answer<T>> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const text = new TextDecoder().decode(bytes);
  const body = (text && type.includes('json') ? JSON.parse(text) : {}) as T;
  return { status: res.status, type, headers: res.headers, text, bytes, body };
}

/**
 * A multipart form with one field, `file`, holding `content` (a string goes as UTF-8) as a file
 * named `name`: what the import endpoints read.
 */
export function fileForm(content: string | Uint8Array, name: string, options: { type?: string } = {}): FormData {
  const form = new FormData();
  // A copy: a File takes only views of a plain ArrayBuffer.
  form.append('file', new File([typeof content === 'string' ? content : new Uint8Array(content)], name, options));
  return form;
}

/** A client for `target` acting as `caller` (nobody by default). */
export function apiClient(target: RequestTarget, caller: Caller = null): ApiClient {
  const raw = async (method: string, path: string, body?: unknown, options: SendOptions = {}) =>
    target.request(path, requestInit(caller, method, path, body, options));
  const send = async <T = Json>(method: string, path: string, body?: unknown, options?: SendOptions) =>
    answerOf<T>(await raw(method, path, body, options));
  return {
    get: <T = Json>(path: string, options?: SendOptions) => send<T>('GET', path, undefined, options),
    post: <T = Json>(path: string, body?: unknown, options?: SendOptions) => send<T>('POST', path, body, options),
    put: <T = Json>(path: string, body?: unknown, options?: SendOptions) => send<T>('PUT', path, body, options),
    patch: <T = Json>(path: string, body?: unknown, options?: SendOptions) => send<T>('PATCH', path, body, options),
    delete: <T = Json>(path: string, body?: unknown, options?: SendOptions) => send<T>('DELETE', path, body, options),
    send,
    form: <T = Json>(path: string, fields: Record<string, string>, options?: SendOptions) =>
      send<T>('POST', path, new URLSearchParams(fields).toString(), { contentType: 'application/x-www-form-urlencoded', ...options }),
    raw,
    as: (other) => apiClient(target, other),
  };
}
