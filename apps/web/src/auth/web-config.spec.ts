import { WEB_CONFIG_PATH, WebConfigError, loadWebConfig, parseWebConfig } from './web-config';

const OIDC = {
  kind: 'oidc',
  authorizeUrl: 'https://auth.example.com/oauth2/authorize',
  tokenUrl: 'https://auth.example.com/oauth2/token',
  logoutUrl: 'https://auth.example.com/logout',
  clientId: 'board-client',
  scopes: ['openid', 'email'],
};

/** A fetch that answers `status` with `body`, and records what it was asked. */
function answering(status: number, body: string) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetcher = (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: url instanceof Request ? url.url : url.toString(), init });
    return Promise.resolve(new Response(body, { status }));
  };
  return { calls, fetcher: fetcher };
}

describe('the board’s runtime configuration', () => {
  it.each([
    ['the local host’s dev sign-in', { apiUrl: '', auth: { kind: 'dev' } }],
    ['an OIDC provider and an API elsewhere', { apiUrl: 'https://api.example.com', auth: OIDC }],
    ['an OIDC provider without logout', { apiUrl: '', auth: { ...OIDC, logoutUrl: undefined } }],
    [
      'a WebSocket stage for live updates',
      {
        apiUrl: 'https://api.example.com',
        auth: OIDC,
        liveUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      },
    ],
    [
      'a local WebSocket gateway',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 'ws://127.0.0.1:9000' },
    ],
  ])('accepts %s', (_case, value) => {
    // Act
    const config = parseWebConfig(JSON.parse(JSON.stringify(value)));

    // Assess
    expect(config).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', [], /JSON object/],
    ['no apiUrl', { auth: { kind: 'dev' } }, /apiUrl must be a string/],
    [
      'a relative apiUrl',
      { apiUrl: '/api', auth: { kind: 'dev' } },
      /apiUrl must be an absolute URL/,
    ],
    [
      'an apiUrl with a trailing slash',
      { apiUrl: 'https://api.example.com/', auth: { kind: 'dev' } },
      /must not end with a slash/,
    ],
    [
      'an apiUrl of another scheme',
      { apiUrl: 'ftp://api.example.com', auth: { kind: 'dev' } },
      /http\(s\) URL/,
    ],
    ['no auth', { apiUrl: '' }, /auth must be an object/],
    [
      'an unknown kind',
      { apiUrl: '', auth: { kind: 'saml' } },
      /auth.kind must be "dev" or "oidc"/,
    ],
    [
      'oidc without a token URL',
      { apiUrl: '', auth: { ...OIDC, tokenUrl: undefined } },
      /auth.tokenUrl must be a string/,
    ],
    [
      'oidc with a relative authorize URL',
      { apiUrl: '', auth: { ...OIDC, authorizeUrl: '/authorize' } },
      /auth.authorizeUrl must be an absolute URL/,
    ],
    [
      'oidc with a javascript: logout URL',
      { apiUrl: '', auth: { ...OIDC, logoutUrl: 'javascript:alert(1)' } },
      /auth.logoutUrl must be an http\(s\) URL/,
    ],
    ['oidc without a client id', { apiUrl: '', auth: { ...OIDC, clientId: ' ' } }, /auth.clientId/],
    [
      'oidc with scopes as one string',
      { apiUrl: '', auth: { ...OIDC, scopes: 'openid email' } },
      /auth.scopes must be a list/,
    ],
    [
      'oidc without openid',
      { apiUrl: '', auth: { ...OIDC, scopes: ['email'] } },
      /must include "openid"/,
    ],
    [
      'a liveUrl that is not a string',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 42 },
      /liveUrl must be a string/,
    ],
    [
      'a relative liveUrl',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: '/live' },
      /liveUrl must be an absolute wss:\/\/ URL/,
    ],
    [
      'an https liveUrl',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 'https://live.example.com' },
      /liveUrl must be a wss:\/\/ URL/,
    ],
    [
      'a plain ws:// liveUrl off localhost',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 'ws://live.example.com/prod' },
      /ws:\/\/ is for localhost only/,
    ],
    [
      'a liveUrl with a query',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 'wss://live.example.com/prod?projectId=1' },
      /no query or fragment/,
    ],
    [
      'a liveUrl with a trailing slash',
      { apiUrl: '', auth: { kind: 'dev' }, liveUrl: 'wss://live.example.com/prod/' },
      /liveUrl must not end with a slash/,
    ],
  ])('refuses %s, saying which field', (_case, value, message) => {
    // Act
    const parse = () => parseWebConfig(value);

    // Assess
    expect(parse).toThrow(WebConfigError);
    expect(parse).toThrow(message);
  });

  it('takes an empty liveUrl as the API’s own stream', () => {
    // Act
    const config = parseWebConfig({ apiUrl: '', auth: { kind: 'dev' }, liveUrl: '' });

    // Assess
    expect(config).toEqual({ apiUrl: '', auth: { kind: 'dev' } });
    expect('liveUrl' in config).toBe(false);
  });

  it('is read from /config.json, never from a cache', async () => {
    // Prepare
    const { calls, fetcher } = answering(
      200,
      JSON.stringify({ apiUrl: '', auth: { kind: 'dev' } }),
    );

    // Act
    const config = await loadWebConfig(fetcher);

    // Assess
    expect(config.auth.kind).toBe('dev');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(WEB_CONFIG_PATH);
    expect(calls[0]?.init?.cache).toBe('no-cache');
  });

  it.each<[string, typeof fetch, RegExp]>([
    ['missing', answering(404, 'not found').fetcher, /answered 404/],
    ['not JSON', answering(200, '<html>').fetcher, /is not JSON/],
    ['malformed', answering(200, '{"apiUrl":3}').fetcher, /apiUrl must be a string/],
    ['unreachable', () => Promise.reject(new TypeError('offline')), /could not be reached/],
  ])('says so when /config.json is %s', async (_case, fetcher, message) => {
    await expect(loadWebConfig(fetcher)).rejects.toThrow(message);
  });
});
