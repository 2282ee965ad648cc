import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type WebOidcSettings } from '@taskflow/platform-config';
import { boardConfigOf } from './board-config';
import { loadConfig } from './config';
import { asRecord, expectProblem } from './testing/responses';
import { startTestHost } from './testing/test-host';

const JWKS = {
  JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
  JWKS_ISSUER: 'https://idp.example.com',
};
const OIDC_ENV = {
  TASKFLOW_WEB_OIDC_AUTHORIZE_URL: 'https://auth.example.com/oauth2/authorize',
  TASKFLOW_WEB_OIDC_TOKEN_URL: 'https://auth.example.com/oauth2/token',
  TASKFLOW_WEB_OIDC_CLIENT_ID: 'board-client',
};
const OIDC: WebOidcSettings = {
  authorizeUrl: 'https://auth.example.com/oauth2/authorize',
  tokenUrl: 'https://tokens.example.com/oauth2/token',
  logoutUrl: null,
  clientId: 'board-client',
  scopes: ['openid', 'email'],
};

describe('the board’s sign-in settings (TASKFLOW_WEB_OIDC_*)', () => {
  it('are off by default: the board uses the development sign-in', () => {
    const config = loadConfig({});

    expect(config.webOidc).toBeNull();
    expect(boardConfigOf(config)).toEqual({ apiUrl: '', auth: { kind: 'dev' } });
  });

  it('name the provider the board signs in at, with openid email profile by default', () => {
    // Act
    const config = loadConfig({
      ...JWKS,
      ...OIDC_ENV,
      TASKFLOW_WEB_OIDC_LOGOUT_URL: 'https://auth.example.com/logout',
    });

    // Assess
    expect(boardConfigOf(config)).toEqual({
      apiUrl: '',
      auth: {
        kind: 'oidc',
        authorizeUrl: 'https://auth.example.com/oauth2/authorize',
        tokenUrl: 'https://auth.example.com/oauth2/token',
        logoutUrl: 'https://auth.example.com/logout',
        clientId: 'board-client',
        scopes: ['openid', 'email', 'profile'],
      },
    });
  });

  it('take scopes separated by spaces or commas', () => {
    const config = loadConfig({ ...JWKS, ...OIDC_ENV, TASKFLOW_WEB_OIDC_SCOPES: 'openid, email' });

    expect(config.webOidc?.scopes).toEqual(['openid', 'email']);
  });

  it('leave the board without a sign-in when neither is served', () => {
    expect(boardConfigOf(loadConfig({ JWT_SECRET: 'x'.repeat(40) }))).toBeNull();
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'only the authorization endpoint',
      { ...JWKS, TASKFLOW_WEB_OIDC_AUTHORIZE_URL: OIDC_ENV.TASKFLOW_WEB_OIDC_AUTHORIZE_URL },
      /TASKFLOW_WEB_OIDC_TOKEN_URL, TASKFLOW_WEB_OIDC_CLIENT_ID are required with TASKFLOW_WEB_OIDC_AUTHORIZE_URL/,
    ],
    [
      'no client id',
      { ...JWKS, ...OIDC_ENV, TASKFLOW_WEB_OIDC_CLIENT_ID: '' },
      /TASKFLOW_WEB_OIDC_CLIENT_ID is required/,
    ],
    [
      'only the scopes',
      { ...JWKS, TASKFLOW_WEB_OIDC_SCOPES: 'openid' },
      /are required with TASKFLOW_WEB_OIDC_SCOPES/,
    ],
    ['no JWKS_URL', OIDC_ENV, /JWKS_URL is required with TASKFLOW_WEB_OIDC_/],
    [
      'scopes without openid',
      { ...JWKS, ...OIDC_ENV, TASKFLOW_WEB_OIDC_SCOPES: 'email profile' },
      /TASKFLOW_WEB_OIDC_SCOPES: must include openid/,
    ],
    [
      'a token endpoint that is no http(s) URL',
      { ...JWKS, ...OIDC_ENV, TASKFLOW_WEB_OIDC_TOKEN_URL: 'ftp://auth.example.com/token' },
      /TASKFLOW_WEB_OIDC_TOKEN_URL: must be an http\(s\) URL/,
    ],
  ])('are refused with %s, naming the variables', (_case, env, message) => {
    const load = () => loadConfig(env);

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});

describe('the host serves its board’s runtime configuration and routes', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-web-config-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Board</title>');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with the development sign-in: /config.json says so, never cached', async () => {
    const t = await startTestHost('webcfg_dev', { webDir: dir, devSignIn: true });
    try {
      const config = await t.request('GET', '/config.json');

      expect(config.status).toBe(200);
      expect(config.headers.get('content-type')).toContain('application/json');
      expect(config.headers.get('cache-control')).toBe('no-store');
      expect(config.body).toEqual({ apiUrl: '', auth: { kind: 'dev' } });
      expect((await t.request('GET', '/')).headers.get('content-security-policy')).toContain(
        "connect-src 'self';",
      );
    } finally {
      await t.stop();
    }
  });

  it('with an identity provider: /config.json names it, and the CSP lets the board reach its token endpoint', async () => {
    const t = await startTestHost('webcfg_oidc', { webDir: dir, devSignIn: false, webOidc: OIDC });
    try {
      const config = await t.request('GET', '/config.json');
      const page = await t.request('GET', '/');

      expect(asRecord(config.body)['auth']).toEqual({
        kind: 'oidc',
        ...OIDC,
        logoutUrl: undefined,
      });
      expect(asRecord(asRecord(config.body)['auth'])).not.toHaveProperty('logoutUrl');
      expect(page.headers.get('content-security-policy')).toContain(
        "connect-src 'self' https://tokens.example.com;",
      );
    } finally {
      await t.stop();
    }
  });

  it('without any sign-in for the board, /config.json is the API’s 404 (the board says so)', async () => {
    const t = await startTestHost('webcfg_none', { webDir: dir, devSignIn: false });
    try {
      expectProblem(await t.request('GET', '/config.json'), 404);
    } finally {
      await t.stop();
    }
  });

  it('answers the board’s page at /auth/callback, but a missing asset stays a 404', async () => {
    const t = await startTestHost('webcfg_routes', { webDir: dir, devSignIn: true });
    try {
      const callback = await t.request('GET', '/auth/callback?code=abc&state=xyz');

      expect(callback.status).toBe(200);
      expect(callback.text).toContain('<title>Board</title>');
      expect(callback.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(callback.headers.get('cache-control')).toBe('no-cache');
      expectProblem(await t.request('GET', '/auth/callback.js'), 404);
      expectProblem(await t.request('GET', '/assets/missing.js'), 404);
      expectProblem(await t.request('POST', '/auth/callback'), 404);
    } finally {
      await t.stop();
    }
  });
});
