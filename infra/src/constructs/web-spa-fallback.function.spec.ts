import { runInNewContext } from 'node:vm';
import { SPA_FALLBACK_FUNCTION_CODE } from './web-spa-fallback.function';

interface ViewerRequest {
  uri: string;
  querystring: Record<string, { value: string }>;
}

/** The function as CloudFront runs it: the source alone, in a context of its own. */
const handler = runInNewContext(`${SPA_FALLBACK_FUNCTION_CODE}\nhandler;`, {}) as (event: {
  request: ViewerRequest;
}) => ViewerRequest;

function uriAfter(uri: string): string {
  return handler({ request: { uri, querystring: {} } }).uri;
}

describe('the board’s SPA fallback (CloudFront Function)', () => {
  it.each([
    ['/', '/index.html'],
    ['/auth/callback', '/index.html'],
    ['/projects/0190f3a1-7c2b-7000-8000-000000000001', '/index.html'],
    ['/projects/v1.2/board', '/index.html'],
    ['/assets/', '/index.html'],
  ])('serves the board for the route %s', (uri, expected) => {
    expect(uriAfter(uri)).toBe(expected);
  });

  it.each([
    '/index.html',
    '/config.json',
    '/assets/index-B3xk9Qv1.js',
    '/assets/index-Cw2a.css',
    '/assets/missing-0000.js',
    '/favicon.ico',
  ])('leaves the file %s as it is (a missing one stays an error)', (uri) => {
    expect(uriAfter(uri)).toBe(uri);
  });

  it('keeps the query string of the authorization code callback', () => {
    // Prepare
    const querystring = { code: { value: 'abc' }, state: { value: 'xyz' } };

    // Act
    const request = handler({ request: { uri: '/auth/callback', querystring } });

    // Assess
    expect(request).toEqual({ uri: '/index.html', querystring });
  });
});
