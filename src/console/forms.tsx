import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../http/router.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { langOf } from './i18n.ts';
import type { ConsoleSettings } from './page.tsx';
import { errorPage, renderWith } from './page.tsx';

/** Where a form without scripts posts: the fallback below, which calls the same API. */
export const submitPath = '/console/submit';

export interface ApiFormProps {
  /** The API operation the form calls (POST, JSON body of its fields). */
  api: string;
  /** DELETE for an operation such as expiring a silence; POST otherwise. */
  method?: 'POST' | 'DELETE';
  /** Where to go after success; `{field}` takes a submitted value. Default: /console. */
  next?: string;
  /** The session's CSRF token (absent on the sign-in form). */
  csrf?: string;
  /** A field that must be typed twice: the copy is named `repeat` and checked before the call. */
  repeat?: string;
  id?: string;
  class?: string;
  children?: Child;
}

/**
 * A form that works both ways: the page script posts its fields as JSON to `api` (showing the
 * answer in place); without scripts the browser posts it to /console/submit, which makes the
 * same API call and comes back. Hidden `_…` fields carry the call; scripts leave them out.
 * A field named `group.key` becomes `{group: {key}}` in the body (a silence's matchers).
 */
export function ApiForm(props: ApiFormProps) {
  return (
    <form
      id={props.id}
      class={props.class}
      method="post"
      action={submitPath}
      data-api-url={props.api}
      data-api-method={props.method}
      data-next={props.next}
      data-repeat={props.repeat}
      novalidate
    >
      <input type="hidden" name="_api" value={props.api} />
      {props.method && props.method !== 'POST' ? <input type="hidden" name="_method" value={props.method} /> : null}
      {props.next ? <input type="hidden" name="_next" value={props.next} /> : null}
      {props.csrf ? <input type="hidden" name="_csrf" value={props.csrf} /> : null}
      {props.repeat ? <input type="hidden" name="_repeat" value={props.repeat} /> : null}
      {props.children}
    </form>
  );
}

/** Where a form's yes/no selects are named, so that both ways send them as JSON booleans. */
const booleansName = '_booleans';

/** The hidden field naming a form's yes/no selects (each answers `true` or `false`). */
export const booleansField = (fields: readonly string[]) => <input type="hidden" name={booleansName} value={fields.join(',')} />;

/** The console's forms are a few short fields; spreadsheets go through the import API. */
const formLimitBytes = 64 * 1024;
const loginApi = '/api/v1/auth/login';
const apiPath = /^\/api\/v1\/[A-Za-z0-9/_.%-]+$/;
/** One level of nesting, plain names only: nothing like `__proto__.x` reaches the body. */
const nestedName = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/;

/**
 * The JSON body of a form's fields: `a.b` nests one level; the fields named in `booleans` are
 * `true` or `false`; the rest are strings as typed.
 */
export function bodyOf(fields: Record<string, string>, booleans: readonly string[] = []): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(fields)) {
    const value = booleans.includes(name) ? text === 'true' : text;
    const nested = nestedName.exec(name);
    if (!nested) {
      body[name] = value;
      continue;
    }
    const group = nested[1] as string;
    const key = nested[2] as string;
    const inner = body[group];
    const target: Record<string, unknown> = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
    target[key] = value;
    body[group] = target;
  }
  return body;
}

/**
 * Whether a path stays where it says: no `.` or `..` segment, written or percent-encoded
 * (`%2e%2e`), which a URL parser would resolve into another path than the one checked.
 */
export function climbsOut(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  // The URL parser reads `.`, `%2e`, `..`, `.%2e`, `%2e.` and `%2e%2e` as dot segments, and `\` as `/`.
  return decoded.split(/[/\\]/).some((segment) => segment === '.' || segment === '..');
}

/** Only a console page may be where a form returns to: never another site, nor out of /console by `..`. */
export function consolePath(value: unknown, fallback: string): string {
  return typeof value === 'string' &&
    /^\/console(\/[A-Za-z0-9/_.%{}-]*)?(\?[^\s]*)?$/.test(value) &&
    !value.startsWith('//') &&
    !climbsOut(value.split('?')[0] ?? value)
    ? value
    : fallback;
}

/**
 * Login CSRF: the sign-in form has no session token yet, so the login page sets a random
 * token in a SameSite=Strict cookie and in the form; a sign-in posted here must carry both,
 * equal. A form on another site can send neither.
 */
export const loginCsrfCookie = 'yunwang_login_csrf';

/** A fresh login-form token, set as its cookie; the page puts it in the form. */
export function issueLoginToken(c: Context<AppEnv>): string {
  const token = randomBytes(32).toString('base64url');
  const secure = new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
  setCookie(c, loginCsrfCookie, token, { httpOnly: true, sameSite: 'Strict', secure, path: '/console' });
  return token;
}

function loginTokenMatches(c: Context<AppEnv>, sent: unknown): boolean {
  const expected = getCookie(c, loginCsrfCookie);
  if (typeof sent !== 'string' || !expected) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A browser says where a request comes from (Fetch Metadata): only our own pages may post forms. */
const fromOtherSite = (c: Context<AppEnv>) => {
  const site = c.req.header('sec-fetch-site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
};

/**
 * POST /console/submit: a form posted without scripts. The fields (but the `_…` ones) become
 * the JSON body of the form's API call, made through the app itself with the caller's cookie,
 * CSRF token and connection — so sign-in, authorization, validation and audit are the API's
 * own. Success goes on to the form's next page (303); a refusal is a page naming what to fix.
 */
export function registerFormFallback(app: OpenAPIHono<AppEnv>, settings: ConsoleSettings) {
  app.use(
    submitPath,
    bodyLimit({
      maxSize: formLimitBytes,
      onError: () => {
        throw new AppError('payload_too_large', `a form is at most ${formLimitBytes} bytes`);
      },
    }),
  );
  app.post(submitPath, async (c) => {
    const lang = langOf(c);
    const form = await c.req.parseBody();
    const api = typeof form._api === 'string' ? form._api : '';
    const refuse = (error: AppError) => errorPage({ lang, render: renderWith(c, lang, settings, undefined) }, error);
    if (fromOtherSite(c)) return refuse(new AppError('forbidden', 'a form posted from another site is refused (cross-site request)'));
    if (!apiPath.test(api) || api.includes('..') || climbsOut(api)) {
      return refuse(
        new AppError('validation_failed', 'the form names no API operation', [{ field: '_api', message: 'must be an /api/v1/ path' }]),
      );
    }
    if (api === loginApi && !loginTokenMatches(c, form._csrf)) {
      return refuse(new AppError('forbidden', 'the sign-in form has expired or was not ours; open the sign-in page again'));
    }
    const repeated = typeof form._repeat === 'string' ? form._repeat : undefined;
    if (repeated && form.repeat !== form[repeated]) {
      return refuse(
        new AppError('validation_failed', 'the two entries differ', [{ field: 'repeat', message: `must repeat ${repeated} exactly` }]),
      );
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(form)) {
      if (name.startsWith('_') || (repeated && name === 'repeat') || typeof value !== 'string' || value.trim() === '') continue;
      fields[name] = value.trim();
    }
    const method = form._method === 'DELETE' ? 'DELETE' : 'POST';
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const cookie = c.req.header('cookie');
    if (cookie) headers.Cookie = cookie;
    if (typeof form._csrf === 'string' && api !== loginApi) headers['X-CSRF-Token'] = form._csrf;
    const requestId = c.get('requestId');
    if (requestId) headers['X-Request-Id'] = requestId;
    // The caller's own connection (c.env) goes along: the audit trail and rate limits see their address.
    const booleans = typeof form[booleansName] === 'string' ? form[booleansName].split(',') : [];
    const answer = await app.request(api, { method, headers, body: JSON.stringify(bodyOf(fields, booleans)) }, c.env);
    if (!answer.ok) return failure(c, answer, api === loginApi, refuse);
    const next = consolePath(form._next, '/console').replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(fields[key] ?? ''));
    const response = c.redirect(next, 303);
    // A sign-in sets the session cookie: pass it on.
    for (const setCookie of answer.headers.getSetCookie()) response.headers.append('Set-Cookie', setCookie);
    return response;
  });
}

async function failure(
  c: Context<AppEnv>,
  answer: Response,
  signingIn: boolean,
  refuse: (error: AppError) => Response | Promise<Response>,
) {
  const problem = (await answer.json().catch(() => ({}))) as { code?: string; detail?: string; errors?: FieldError[] };
  // No (or no longer a) session: sign in again. A failed sign-in itself is said so.
  if (answer.status === 401 && !signingIn) return c.redirect('/console/login', 303);
  const code = answer.status === 403 ? 'forbidden' : answer.status === 404 ? 'not_found' : 'validation_failed';
  return refuse(new AppError(code, problem.detail ?? `the API answered ${answer.status}`, problem.errors ?? []));
}
