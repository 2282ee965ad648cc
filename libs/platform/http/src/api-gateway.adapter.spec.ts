import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiGatewayProxyEvent } from '@taskflow/platform-testing';
import { fromApiGatewayEvent, toApiGatewayResult } from './api-gateway.adapter';

/** The shared REST API (v1) proxy event of `GET /tasks`, with only the headers that matter here. */
function proxyEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    ...apiGatewayProxyEvent({ method: 'GET', path: '/tasks' }),
    headers: { Accept: 'application/json', Authorization: 'Bearer t', 'X-Request-Id': 'req-1' },
    multiValueHeaders: {
      Accept: ['application/json'],
      Authorization: ['Bearer t'],
      'X-Request-Id': ['req-1'],
    },
    ...overrides,
  };
}

describe('API Gateway proxy adapter', () => {
  it('maps method, stage-less path, lower-cased headers and query parameters', () => {
    const request = fromApiGatewayEvent(
      proxyEvent({
        queryStringParameters: { status: 'pending', label: 'b' },
        multiValueQueryStringParameters: { status: ['pending'], label: ['a', 'b'] },
      }),
    );

    expect(request).toEqual({
      method: 'GET',
      path: '/tasks',
      headers: { accept: 'application/json', authorization: 'Bearer t', 'x-request-id': 'req-1' },
      query: { status: 'pending', label: ['a', 'b'] },
      body: null,
    });
  });

  it.each([
    ['plain text', { body: '{"title":"x"}', isBase64Encoded: false }, '{"title":"x"}'],
    [
      'base64',
      { body: Buffer.from('{"title":"é"}').toString('base64'), isBase64Encoded: true },
      '{"title":"é"}',
    ],
  ])('decodes a %s body', (_case, overrides, expected) => {
    const { body } = fromApiGatewayEvent(proxyEvent({ httpMethod: 'POST', ...overrides }));
    expect(Buffer.isBuffer(body) ? body.toString('utf8') : body).toBe(expected);
  });

  it('accepts the minimal payload of a direct invocation (the seed’s aws lambda invoke)', () => {
    const minimal = { httpMethod: 'GET', path: '/tasks' } as unknown as APIGatewayProxyEvent;
    expect(fromApiGatewayEvent(minimal)).toEqual({
      method: 'GET',
      path: '/tasks',
      headers: {},
      query: {},
      body: null,
    });
  });

  it('keeps headers API Gateway only puts in the single-value map', () => {
    const request = fromApiGatewayEvent(
      proxyEvent({ multiValueHeaders: {}, headers: { 'Content-Type': 'application/json' } }),
    );
    expect(request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('turns a response into a proxy result with a JSON body, or an empty one', () => {
    expect(
      toApiGatewayResult({ status: 201, headers: { location: '/tasks/1' }, body: { id: '1' } }),
    ).toEqual({
      statusCode: 201,
      headers: { location: '/tasks/1' },
      body: '{"id":"1"}',
    });
    expect(toApiGatewayResult({ status: 204, headers: {} })).toEqual({
      statusCode: 204,
      headers: {},
      body: '',
    });
  });

  it('answers HEAD with the headers of GET, the length of its body, and no body', () => {
    expect(
      toApiGatewayResult({ status: 200, headers: { etag: '"2"' }, body: { id: 'é' } }, 'HEAD'),
    ).toEqual({
      statusCode: 200,
      headers: { etag: '"2"', 'content-length': '11' },
      body: '',
    });
  });
});
