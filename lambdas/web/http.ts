import { z } from 'zod';

/**
 * One request/response shape for every web route, so the same route code serves the local server
 * (`kernel-news serve`) and API Gateway in AWS. Adapters: local-server.ts, apigw.ts.
 */
export interface HttpRequest {
  method: string;
  /** Path without query string, e.g. "/review/2026-W02". */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Raw body text (forms are application/x-www-form-urlencoded). */
  body: string;
  /** The base URL the site is served under, e.g. "http://127.0.0.1:8080"; for building links. */
  baseUrl: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Exact path, or a pattern whose named groups become `params`. */
  path: string | RegExp;
  handle(request: HttpRequest, params: Record<string, string>): Promise<HttpResponse>;
}

/** Largest request body a route accepts; forms here are small. */
export const MAX_BODY_BYTES = 256 * 1024;

export function form(request: HttpRequest): URLSearchParams {
  return new URLSearchParams(request.body);
}

/** Parses a form with a zod schema; throws HttpError 400 naming the bad field. */
export function parseForm<T extends z.ZodTypeAny>(request: HttpRequest, schema: T): z.infer<T> {
  const result = schema.safeParse(Object.fromEntries(form(request)));
  if (!result.success) {
    throw new HttpError(400, `bad form: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function html(body: string, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers }, body };
}

export function redirect(location: string, status = 303): HttpResponse {
  return { status, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A plain page for errors and notices; `message` is escaped. */
export function messagePage(status: number, title: string, message: string): HttpResponse {
  return html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
    status,
  );
}

/**
 * A request sent by a page on another site: its Origin names another host, or is not a URL at all.
 * No Origin (mail clients' one-click POSTs, scripts) and "null" pass: our own pages send no Referer
 * (referrer-policy: no-referrer), so browsers send "Origin: null" on their forms. What protects those
 * routes is their own token: the review form's CSRF token, the subscription links' signature.
 */
export function crossSite(request: HttpRequest): boolean {
  const origin = request.headers.origin;
  if (!origin || origin === 'null' || !request.baseUrl) return false;
  try {
    return new URL(origin).host !== new URL(request.baseUrl).host;
  } catch {
    return true;
  }
}

/**
 * Finds the route for a request and runs it; HttpError becomes its status page, anything else a 500.
 * A cross-site POST is refused before any route sees it.
 */
export async function dispatch(routes: Route[], request: HttpRequest): Promise<HttpResponse> {
  let pathMatched = false;
  for (const route of routes) {
    let params: Record<string, string> | undefined;
    if (typeof route.path === 'string') params = route.path === request.path ? {} : undefined;
    else {
      const m = route.path.exec(request.path);
      params = m ? { ...(m.groups ?? {}) } : undefined;
    }
    if (!params) continue;
    pathMatched = true;
    if (route.method !== request.method) continue;
    if (request.method === 'POST' && crossSite(request)) return messagePage(403, 'Request refused', 'Cross-site request refused. Nothing was changed.');
    try {
      return await route.handle(request, params);
    } catch (err) {
      if (err instanceof HttpError) return messagePage(err.status, err.status === 403 ? 'Link not valid' : 'Request refused', err.message);
      console.error(err);
      return messagePage(500, 'Something went wrong', 'The server could not complete this request. Nothing was changed; try again.');
    }
  }
  return pathMatched ? messagePage(405, 'Method not allowed', `${request.method} is not accepted here.`) : messagePage(404, 'Not found', 'There is no page at this address.');
}
