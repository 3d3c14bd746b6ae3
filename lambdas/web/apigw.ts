import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dispatch, type HttpRequest, type Route } from './http.js';

/** Adapts an API Gateway HTTP API (payload v2) event to the shared routes. */
export async function handleApiGatewayEvent(routes: Route[], event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
  const host = headers['x-forwarded-host'] ?? event.requestContext.domainName;
  const request: HttpRequest = {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
    baseUrl: `https://${host}`,
  };
  const response = await dispatch(routes, request);
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
