import { TwoFactorError, errorFromAnswer } from './errors';

/** The parts of `fetch` the client uses, so any WHATWG-compatible fetch fits. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** The Strapi server, e.g. `https://api.example.com` (no trailing `/api`). */
  url: string;
  /** The REST prefix of the host app (`api.rest.prefix`); default `/api`. */
  prefix?: string;
  fetch?: FetchLike;
  /** Sent as `fetch`'s `credentials`: `include` lets a browser on another origin keep the plugin's cookies. */
  credentials?: RequestCredentials;
  /** Headers for every request (e.g. `X-Strapi-Refresh-Cookie`). */
  headers?: Record<string, string>;
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under the REST prefix: `/two-factor/status`. */
  path: string;
  body?: unknown;
  /** A bearer token (a JWT, or a pending login's mfa token). */
  bearer?: string | null;
  headers?: Record<string, string>;
}

export type Send = <T>(call: Call) => Promise<T>;

/** A JSON request to the host app: the answer's body, or a TwoFactorError for anything but a 2xx JSON answer. */
export const createSend = (options: HttpOptions): Send => {
  const doFetch: FetchLike | undefined = options.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
  if (!doFetch) throw new TypeError('createTwoFactorClient: no fetch here; pass `fetch`');
  const base = `${options.url.replace(/\/+$/, '')}${(options.prefix ?? '/api').replace(/\/+$/, '')}`;

  return async <T>(call: Call): Promise<T> => {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers, ...call.headers };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.bearer) headers.Authorization = `Bearer ${call.bearer}`;
    let response: Response;
    try {
      response = await doFetch(`${base}${call.path}`, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
    } catch (cause) {
      throw new TwoFactorError({ code: 'NETWORK_ERROR', status: 0, message: `Could not reach ${base}`, cause });
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) throw errorFromAnswer(response.status, body, response.headers.get('Retry-After'));
    if (body === undefined) {
      throw new TwoFactorError({ code: 'BAD_RESPONSE', status: response.status, message: `${call.method} ${call.path} answered no JSON` });
    }
    return body as T;
  };
};
