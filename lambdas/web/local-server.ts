import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch, MAX_BODY_BYTES, messagePage, type HttpRequest, type Route } from './http.js';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Serves routes on 127.0.0.1 (port 0 = any free port) with node:http. */
export async function startLocalServer(routes: Route[], port = 0, host = '127.0.0.1'): Promise<LocalServer> {
  let baseUrl = '';
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', baseUrl);
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body: Buffer.concat(chunks).toString('utf8'),
      baseUrl,
    };
    const response = tooLarge ? messagePage(413, 'Too large', 'The request body is too large.') : await dispatch(routes, request);
    res.writeHead(response.status, response.headers ?? {});
    res.end(response.body);
  });
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
