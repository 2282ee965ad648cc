import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './http-types';

/**
 * The transport-neutral request of an API Gateway REST (v1) proxy event. Header names are
 * lower-cased; repeated query parameters keep every value; a base64 body is decoded to bytes.
 */
export function fromApiGatewayEvent(proxyEvent: APIGatewayProxyEvent): HttpRequest {
  // API Gateway always sends these maps; a direct `aws lambda invoke` with a hand-written
  // payload (the seed recipe does `{"httpMethod":"GET","path":"/tasks"}`) may omit any of them.
  const event: Partial<APIGatewayProxyEvent> = proxyEvent;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.multiValueHeaders ?? {})) {
    if (value && value.length > 0) headers[name.toLowerCase()] = value.join(', ');
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] ??= value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values && values.length > 0)
      query[name] = values.length === 1 && values[0] !== undefined ? values[0] : values;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] ??= value;
  }
  const raw = event.body ?? null;
  const body =
    raw === null ? null : event.isBase64Encoded === true ? Buffer.from(raw, 'base64') : raw;
  // `path` is the resource path: the stage (/prod) is not part of what the routes know.
  return { method: event.httpMethod ?? 'GET', path: event.path ?? '/', query, headers, body };
}

/**
 * The API Gateway proxy result of a transport-neutral response. A HEAD answer carries the GET
 * answer's headers, with the length its body would have, and no body (RFC 9110 §9.3.2).
 */
export function toApiGatewayResult(response: HttpResponse, method = 'GET'): APIGatewayProxyResult {
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  if (method.toUpperCase() !== 'HEAD') {
    return { statusCode: response.status, headers: { ...response.headers }, body };
  }
  return {
    statusCode: response.status,
    headers: { ...response.headers, 'content-length': String(Buffer.byteLength(body)) },
    body: '',
  };
}
