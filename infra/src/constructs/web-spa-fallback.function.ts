/**
 * The board's SPA fallback, a CloudFront Function (cloudfront-js-2.0) on viewer request: a
 * path whose last segment has no file extension (`/`, `/auth/callback`, `/projects/…`) is one
 * of the board's routes and is served `/index.html`; any other path is a file and is looked up
 * as it is. Rewriting before the cache, instead of turning the origin's 403/404 into
 * `/index.html`, keeps a missing asset an error (a stale `/assets/index-<hash>.js` answers 403,
 * not 200 with HTML that the browser would try to run) and gives every route one cache entry.
 *
 * Plain ES5 in a string: CloudFront runs this source itself, and the unit test evaluates the
 * same string.
 */
export const SPA_FALLBACK_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var segments = request.uri.split('/');
  if (segments[segments.length - 1].indexOf('.') === -1) request.uri = '/index.html';
  return request;
}
`;
