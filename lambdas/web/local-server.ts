import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch, MAX_BODY_BYTES, messagePage, type HttpRequest, type HttpResponse, type Route } from './http.js';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Serves routes on 127.0.0.1 (port 0 = any free port) with node:http. */
export async function startLocalServer(routes: Route[], port = 0, host = '127.0.0.1'): Promise<LocalServer> {
  let baseUrl = '';
  const server = http.createServer((req, res) => {
    // Nothing a client sends (a body cut off, a request target no URL parser takes) may end the
    // server: an error here answers this request, or drops its connection, and nothing else.
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const page = messagePage(500, 'Something went wrong', 'The server could not complete this request. Nothing was changed; try again.');
        res.writeHead(page.status, page.headers ?? {});
        res.end(page.body);
      } else res.destroy();
      console.error(err);
    });
  });
  const answer = (res: http.ServerResponse, response: HttpResponse) => {
    res.writeHead(response.status, response.headers ?? {});
    res.end(response.body);
  };
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', baseUrl);
    } catch {
      return answer(res, messagePage(400, 'Bad request', 'The request target is not a valid address.'));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    // node:http reads and discards the rest of the body after this answer (the client, still sending,
    // would not see an answer on a connection closed under it).
    const tooLarge = () => answer(res, messagePage(413, 'Too large', 'The request body is too large.'));
    if (declared > MAX_BODY_BYTES) return tooLarge(); // refused before a byte of it is read
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
      }
      if (size > MAX_BODY_BYTES) return tooLarge();
    } catch {
      // The client went away mid-body (or sent a broken chunked body): nobody to answer.
      if (!res.headersSent) res.destroy();
      return;
    }
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body: Buffer.concat(chunks).toString('utf8'),
      baseUrl,
    };
    answer(res, await dispatch(routes, request));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
