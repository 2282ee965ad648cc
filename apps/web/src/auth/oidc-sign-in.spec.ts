import {
  CALLBACK_PATH,
  type OidcConfig,
  PENDING_SIGN_IN_KEY,
  PENDING_SIGN_IN_MAX_AGE_MS,
  type SignInErrorCode,
  type SignInStore,
  beginSignIn,
  completeSignIn,
  signOutUrl,
} from './oidc-sign-in';
import { base64url, codeChallengeS256 } from './pkce';

const ORIGIN = 'https://board.example.com';
const CONFIG: OidcConfig = {
  kind: 'oidc',
  authorizeUrl: 'https://auth.example.com/oauth2/authorize',
  tokenUrl: 'https://auth.example.com/oauth2/token',
  logoutUrl: 'https://auth.example.com/logout',
  clientId: 'board-client',
  scopes: ['openid', 'email', 'profile'],
};
const NOW = Date.parse('2026-12-07T10:00:00Z');

/** The configuration without a logout endpoint. */
function withoutLogout(): OidcConfig {
  return {
    kind: 'oidc',
    authorizeUrl: CONFIG.authorizeUrl,
    tokenUrl: CONFIG.tokenUrl,
    clientId: CONFIG.clientId,
    scopes: CONFIG.scopes,
  };
}

/** Session storage as a map. */
class MemoryStore implements SignInStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** An unsigned JWT with these claims (the board reads, the API verifies). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));
  return `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/**
 * A token endpoint: it answers an ID token with the nonce of the authorization request only
 * when the verifier's S256 challenge is the request's, as a provider does.
 */
function tokenEndpoint(
  authorizeUrl: string,
  answer: (claims: Record<string, unknown>) => { status: number; body: unknown } = (claims) => ({
    status: 200,
    body: { id_token: jwt(claims), access_token: 'access', token_type: 'Bearer' },
  }),
) {
  const request = new URL(authorizeUrl).searchParams;
  const forms: URLSearchParams[] = [];
  const fetcher = async (url: string | URL | Request, init?: RequestInit) => {
    const form = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    forms.push(form);
    expect(url instanceof Request ? url.url : url.toString()).toBe(CONFIG.tokenUrl);
    expect(new Headers(init?.headers).get('content-type')).toBe(
      'application/x-www-form-urlencoded',
    );
    if (
      (await codeChallengeS256(form.get('code_verifier') ?? '')) !== request.get('code_challenge')
    )
      return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 });
    const { status, body } = answer({
      aud: CONFIG.clientId,
      nonce: request.get('nonce'),
      exp: NOW / 1000 + 3600,
      token_use: 'id',
      email: 'dana@example.com',
    });
    return new Response(JSON.stringify(body), { status });
  };
  return { forms, fetcher };
}

/** A sign-in begun in `store`: the authorization URL, and the callback the provider sends. */
async function begun(store: MemoryStore, returnTo = '') {
  const url = await beginSignIn(CONFIG, ORIGIN, store, { returnTo, now: NOW });
  const state = new URL(url).searchParams.get('state') ?? '';
  return { url, callback: `?code=the-code&state=${encodeURIComponent(state)}` };
}

describe('signing in at an OIDC provider (authorization code with PKCE)', () => {
  it('sends the browser to the authorization endpoint with state, an S256 challenge and a nonce', async () => {
    // Prepare
    const store = new MemoryStore();

    // Act
    const { url } = await begun(store);

    // Assess
    const sent = new URL(url);
    expect(`${sent.origin}${sent.pathname}`).toBe(CONFIG.authorizeUrl);
    expect(Object.fromEntries(sent.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'board-client',
      redirect_uri: `${ORIGIN}${CALLBACK_PATH}`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    const pending = JSON.parse(store.getItem(PENDING_SIGN_IN_KEY) ?? '{}') as Record<
      string,
      string
    >;
    expect(sent.searchParams.get('state')).toBe(pending['state']);
    expect(sent.searchParams.get('nonce')).toBe(pending['nonce']);
    expect(sent.searchParams.get('code_challenge')).toBe(
      await codeChallengeS256(pending['verifier'] ?? ''),
    );
    // The verifier stays in this tab: it is the proof that only this tab can redeem the code.
    expect(url).not.toContain(pending['verifier']);
  });

  it('starts afresh each time: a new state, verifier and nonce', async () => {
    const store = new MemoryStore();
    const first = new URL((await begun(store)).url).searchParams;
    const second = new URL((await begun(store)).url).searchParams;

    for (const name of ['state', 'nonce', 'code_challenge'])
      expect(first.get(name)).not.toBe(second.get(name));
  });

  it('exchanges the code with the verifier and answers the ID token, its expiry and the place to return to', async () => {
    // Prepare
    const store = new MemoryStore();
    const { url, callback } = await begun(store, '#/projects/0190c0de-0000-7000-8000-000000000001');
    const provider = tokenEndpoint(url);

    // Act
    const tokens = await completeSignIn(CONFIG, ORIGIN, callback, store, {
      fetcher: provider.fetcher,
      now: NOW,
    });

    // Assess
    expect(tokens.idToken.split('.')).toHaveLength(3);
    expect(tokens.expiresAt).toBe(new Date(NOW + 3_600_000).toISOString());
    expect(tokens.returnTo).toBe('#/projects/0190c0de-0000-7000-8000-000000000001');
    expect(Object.fromEntries(provider.forms[0] ?? [])).toMatchObject({
      grant_type: 'authorization_code',
      client_id: 'board-client',
      code: 'the-code',
      redirect_uri: `${ORIGIN}${CALLBACK_PATH}`,
    });
    expect(store.getItem(PENDING_SIGN_IN_KEY)).toBeNull();
  });

  it('never returns to another page than one of the board’s own', async () => {
    const store = new MemoryStore();
    const { url, callback } = await begun(store, 'https://evil.example/#/x');

    const tokens = await completeSignIn(CONFIG, ORIGIN, callback, store, {
      fetcher: tokenEndpoint(url).fetcher,
      now: NOW,
    });

    expect(tokens.returnTo).toBe('');
  });

  type Case = [string, (callback: string, store: MemoryStore) => string, SignInErrorCode, RegExp];
  it.each<Case>([
    [
      'the provider answers an error',
      () => '?error=access_denied&error_description=No+way',
      'PROVIDER_ERROR',
      /access_denied: No way/,
    ],
    [
      'no sign-in was started in this tab',
      (callback, store) => (store.items.clear(), callback),
      'STATE_MISSING',
      /not started in this tab/,
    ],
    ['the state is missing', () => '?code=the-code', 'STATE_MISMATCH', /does not belong/],
    [
      'the state was tampered with',
      (callback) => callback.replace('state=', 'state=x'),
      'STATE_MISMATCH',
      /does not belong/,
    ],
    [
      'the code is missing',
      (callback) => callback.replace('code=the-code&', ''),
      'CODE_MISSING',
      /no authorization code/,
    ],
  ])(
    'refuses the callback when %s, before calling the token endpoint',
    async (_case, change, code, message) => {
      // Prepare
      const store = new MemoryStore();
      const { url, callback } = await begun(store);
      const provider = tokenEndpoint(url);

      // Act
      const completing = completeSignIn(CONFIG, ORIGIN, change(callback, store), store, {
        fetcher: provider.fetcher,
        now: NOW,
      });

      // Assess
      await expect(completing).rejects.toMatchObject({
        name: 'SignInError',
        code,
        message: expect.stringMatching(message) as unknown,
      });
      expect(provider.forms).toHaveLength(0);
      expect(store.getItem(PENDING_SIGN_IN_KEY)).toBeNull();
    },
  );

  it('refuses a sign-in started too long ago', async () => {
    const store = new MemoryStore();
    const { url, callback } = await begun(store);

    await expect(
      completeSignIn(CONFIG, ORIGIN, callback, store, {
        fetcher: tokenEndpoint(url).fetcher,
        now: NOW + PENDING_SIGN_IN_MAX_AGE_MS + 1,
      }),
    ).rejects.toMatchObject({ code: 'SIGN_IN_EXPIRED' });
  });

  it('cannot be completed twice with the same answer (the sign-in in flight is used up)', async () => {
    const store = new MemoryStore();
    const { url, callback } = await begun(store);
    const options = { fetcher: tokenEndpoint(url).fetcher, now: NOW };
    await completeSignIn(CONFIG, ORIGIN, callback, store, options);

    await expect(completeSignIn(CONFIG, ORIGIN, callback, store, options)).rejects.toMatchObject({
      code: 'STATE_MISSING',
    });
  });

  type TokenCase = [
    string,
    (claims: Record<string, unknown>) => { status: number; body: unknown },
    SignInErrorCode,
  ];
  it.each<TokenCase>([
    [
      'refuses the code',
      () => ({ status: 400, body: { error: 'invalid_grant' } }),
      'TOKEN_REFUSED',
    ],
    [
      'answers no ID token',
      () => ({ status: 200, body: { access_token: 'a' } }),
      'ID_TOKEN_MISSING',
    ],
    [
      'answers an unreadable ID token',
      () => ({ status: 200, body: { id_token: 'a.b.c' } }),
      'ID_TOKEN_MALFORMED',
    ],
    [
      'answers a token of another sign-in (nonce)',
      (claims) => ({ status: 200, body: { id_token: jwt({ ...claims, nonce: 'other' }) } }),
      'NONCE_MISMATCH',
    ],
    [
      'answers a token for another client',
      (claims) => ({ status: 200, body: { id_token: jwt({ ...claims, aud: 'other-client' }) } }),
      'AUDIENCE_MISMATCH',
    ],
    [
      'answers an expired token',
      (claims) => ({ status: 200, body: { id_token: jwt({ ...claims, exp: NOW / 1000 - 120 }) } }),
      'ID_TOKEN_EXPIRED',
    ],
  ])('fails when the token endpoint %s', async (_case, answer, code) => {
    const store = new MemoryStore();
    const { url, callback } = await begun(store);

    await expect(
      completeSignIn(CONFIG, ORIGIN, callback, store, {
        fetcher: tokenEndpoint(url, answer).fetcher,
        now: NOW,
      }),
    ).rejects.toMatchObject({ name: 'SignInError', code });
  });

  it('fails with a clear error when the token endpoint cannot be reached', async () => {
    const store = new MemoryStore();
    const { callback } = await begun(store);
    const offline = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;

    await expect(
      completeSignIn(CONFIG, ORIGIN, callback, store, { fetcher: offline, now: NOW }),
    ).rejects.toMatchObject({ code: 'TOKEN_UNREACHABLE' });
  });

  it('signs out at the provider’s logout endpoint, coming back to the board', () => {
    const url = new URL(signOutUrl(CONFIG, ORIGIN) ?? '');

    expect(`${url.origin}${url.pathname}`).toBe(CONFIG.logoutUrl);
    expect(url.searchParams.get('client_id')).toBe('board-client');
    expect(url.searchParams.get('logout_uri')).toBe(`${ORIGIN}/`);
    expect(signOutUrl(withoutLogout(), ORIGIN)).toBeNull();
  });
});
