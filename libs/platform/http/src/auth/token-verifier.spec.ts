import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { TokenIssuer } from './token-issuer';
import {
  AuthenticationError,
  TOKEN_CLOCK_SKEW_SECONDS,
  TokenVerifier,
  type TokenVerifierConfig,
} from './token-verifier';

const SECRET = 'local-secret-local-secret-local-secret-123';
const USER_ID = '01a20c11-9cd5-7658-a0bd-58f103b578d7';
const COGNITO_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthenticationError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

describe('TokenVerifier', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let rsaPrivate: CryptoKey;
  let rsaPublicJwk: JWK;
  let jwksHits = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    rsaPrivate = pair.privateKey;
    rsaPublicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      jwksHits += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [rsaPublicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const config = (overrides: Partial<TokenVerifierConfig> = {}): TokenVerifierConfig => ({
    hs256Secret: SECRET,
    issuer: 'taskflow-local',
    audience: 'taskflow',
    jwks: { url: jwksUrl, issuer: COGNITO_ISSUER, audience: 'client-123' },
    ...overrides,
  });

  /** A token of Taskflow's own HS256 issuer, with any of its parts changed. */
  const localToken = (
    options: {
      secret?: string;
      issuer?: string;
      audience?: string;
      userId?: string;
      seconds?: number;
    } = {},
  ) =>
    new TokenIssuer(
      options.secret ?? SECRET,
      options.issuer ?? 'taskflow-local',
      options.audience ?? 'taskflow',
    ).issue({ id: options.userId ?? USER_ID, email: 'a@b.co', name: 'A' }, options.seconds ?? 60);

  const cognitoToken = (
    claims: Record<string, unknown>,
    options: { kid?: string; key?: CryptoKey; exp?: number } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
      .setSubject('cognito-sub-1')
      .setIssuer(COGNITO_ISSUER)
      .setAudience('client-123')
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(options.key ?? rsaPrivate);

  it('accepts Taskflow’s own HS256 token and answers its user id', async () => {
    // Prepare
    const token = await localToken();

    // Act
    const identity = await new TokenVerifier(config()).verify(`Bearer ${token}`);

    // Assess
    expect(identity).toEqual({ kind: 'local', userId: USER_ID, expiresAtMs: expect.any(Number) });
    // The token's `exp`, which bounds what is handed out on it (stream tickets).
    expect(identity.expiresAtMs - Date.now()).toBeGreaterThan(55_000);
    expect(identity.expiresAtMs - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('accepts an RS256 token whose key is in the configured JWKS, identified by e-mail', async () => {
    const token = await cognitoToken({ email: 'Carol@Example.com', name: 'Carol' });

    const identity = await new TokenVerifier(config()).verify(`Bearer ${token}`);

    expect(identity).toEqual({
      kind: 'external',
      subject: 'cognito-sub-1',
      email: 'Carol@Example.com',
      name: 'Carol',
      expiresAtMs: expect.any(Number),
    });
    expect(jwksHits).toBeGreaterThan(0);
  });

  it.each([
    { case: 'a Cognito ID token', claims: { email_verified: true, token_use: 'id' } },
    {
      case: 'an ID token whose provider sends booleans as strings',
      claims: { email_verified: 'true' },
    },
    { case: 'a provider that sends neither claim', claims: {} },
  ])('accepts $case', async ({ claims }) => {
    const token = await cognitoToken({ email: 'frank@example.com', ...claims });

    const identity = await new TokenVerifier(config()).verify(`Bearer ${token}`);

    expect(identity).toMatchObject({ kind: 'external', email: 'frank@example.com' });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['HS256 with another secret', () => localToken({ secret: 'x'.repeat(40) }), 'TOKEN_INVALID'],
    ['HS256 from another issuer', () => localToken({ issuer: 'someone-else' }), 'TOKEN_INVALID'],
    ['HS256 for another audience', () => localToken({ audience: 'other' }), 'TOKEN_INVALID'],
    ['HS256 whose subject is not a user id', () => localToken({ userId: 'root' }), 'TOKEN_INVALID'],
    [
      'HS256 expired',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(USER_ID)
          .setIssuer('taskflow-local')
          .setAudience('taskflow')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
          .sign(new TextEncoder().encode(SECRET)),
      'TOKEN_EXPIRED',
    ],
    [
      'unsigned (alg none)',
      () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return Promise.resolve(
          `${part({ alg: 'none' })}.${part({ sub: USER_ID, iss: 'taskflow-local', aud: 'taskflow', exp: 9_999_999_999 })}.`,
        );
      },
      'TOKEN_INVALID',
    ],
    [
      'HS256 signed with the RSA public key as the HMAC secret (algorithm confusion)',
      () =>
        new SignJWT({ email: 'x@y.z' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(USER_ID)
          .setIssuer(COGNITO_ISSUER)
          .setAudience('client-123')
          .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
          .sign(new TextEncoder().encode(JSON.stringify(rsaPublicJwk))),
      'TOKEN_INVALID',
    ],
    ['RS256 without an e-mail claim', () => cognitoToken({}), 'TOKEN_INVALID'],
    [
      'RS256 whose e-mail is not verified (Cognito `email_verified: false`)',
      () => cognitoToken({ email: 'victim@example.com', email_verified: false, token_use: 'id' }),
      'TOKEN_INVALID',
    ],
    [
      'RS256 that is not an ID token (a Cognito access token given an e-mail claim)',
      () => cognitoToken({ email: 'a@b.co', token_use: 'access', client_id: 'client-123' }),
      'TOKEN_INVALID',
    ],
    [
      'RS256 with a key id the JWKS does not hold',
      () => cognitoToken({ email: 'a@b.co' }, { kid: 'key-2' }),
      'TOKEN_INVALID',
    ],
    [
      'RS256 expired',
      () => cognitoToken({ email: 'a@b.co' }, { exp: Math.floor(Date.now() / 1000) - 10 }),
      'TOKEN_EXPIRED',
    ],
  ])('refuses %s', async (_case, makeToken, code) => {
    const token = await makeToken();
    expect(await codeOf(new TokenVerifier(config()).verify(`Bearer ${token}`))).toBe(code);
  });

  it('remembers a verified token only until it expires', async () => {
    // Prepare
    const verifier = new TokenVerifier(config());
    const token = await localToken({ seconds: 1 });

    // Act
    const first = await codeOf(verifier.verify(`Bearer ${token}`));
    const again = await codeOf(verifier.verify(`Bearer ${token}`));
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const later = await codeOf(verifier.verify(`Bearer ${token}`));

    // Assess
    expect([first, again, later]).toEqual(['ACCEPTED', 'ACCEPTED', 'TOKEN_EXPIRED']);
  });

  it('refuses a remembered token once the signing secret changed (the host restarts with it)', async () => {
    // Prepare
    const token = await localToken();
    const before = new TokenVerifier(config());
    const after = new TokenVerifier(config({ hs256Secret: 'n'.repeat(40) }));

    // Act
    const accepted = await codeOf(before.verify(`Bearer ${token}`));
    const remembered = await codeOf(before.verify(`Bearer ${token}`));
    const refused = await codeOf(after.verify(`Bearer ${token}`));

    // Assess
    expect([accepted, remembered, refused]).toEqual(['ACCEPTED', 'ACCEPTED', 'TOKEN_INVALID']);
  });

  it('never remembers a token that failed verification', async () => {
    const verifier = new TokenVerifier(config());
    const token = await localToken({ secret: 'x'.repeat(40) });
    expect(await codeOf(verifier.verify(`Bearer ${token}`))).toBe('TOKEN_INVALID');
    expect(await codeOf(verifier.verify(`Bearer ${token}`))).toBe('TOKEN_INVALID');
  });

  /** An HS256 token of this verifier's issuer, issued `aheadSeconds` after `nowSeconds`. */
  const issuedAt = (nowSeconds: number, aheadSeconds: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(USER_ID)
      .setIssuer('taskflow-local')
      .setAudience('taskflow')
      .setIssuedAt(nowSeconds + aheadSeconds)
      .setExpirationTime(nowSeconds + aheadSeconds + 3600)
      .sign(new TextEncoder().encode(SECRET));

  it.each([
    { case: 'issued now', ahead: 0, expected: 'ACCEPTED' },
    { case: 'issued within the clock skew', ahead: TOKEN_CLOCK_SKEW_SECONDS, expected: 'ACCEPTED' },
    {
      case: 'issued beyond the clock skew',
      ahead: TOKEN_CLOCK_SKEW_SECONDS + 1,
      expected: 'TOKEN_INVALID',
    },
    { case: 'issued a year ahead', ahead: 365 * 24 * 3600, expected: 'TOKEN_INVALID' },
  ])('answers $expected for an HS256 token $case', async ({ ahead, expected }) => {
    // Prepare
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await issuedAt(nowSeconds, ahead);

    // Act
    const code = await codeOf(
      new TokenVerifier(config(), () => nowSeconds * 1000).verify(`Bearer ${token}`),
    );

    // Assess
    expect(code).toBe(expected);
  });

  it('refuses an RS256 token issued beyond the clock skew', async () => {
    // Prepare
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: 'a@b.co' })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setSubject('cognito-sub-1')
      .setIssuer(COGNITO_ISSUER)
      .setAudience('client-123')
      .setIssuedAt(nowSeconds + 3600)
      .setExpirationTime(nowSeconds + 7200)
      .sign(rsaPrivate);

    // Act
    const code = await codeOf(new TokenVerifier(config()).verify(`Bearer ${token}`));

    // Assess
    expect(code).toBe('TOKEN_INVALID');
  });

  it('decides a token issued ahead by the clock on every call, never by the cache', async () => {
    // Prepare
    const startSeconds = Math.floor(Date.now() / 1000);
    let nowMs = startSeconds * 1000;
    const verifier = new TokenVerifier(config(), () => nowMs);
    const token = await issuedAt(startSeconds, 600);

    // Act
    const early = await codeOf(verifier.verify(`Bearer ${token}`));
    const stillEarly = await codeOf(verifier.verify(`Bearer ${token}`));
    nowMs += (600 - TOKEN_CLOCK_SKEW_SECONDS) * 1000;
    const inTime = await codeOf(verifier.verify(`Bearer ${token}`));
    nowMs += (600 + 3600) * 1000;
    const afterExpiry = await codeOf(verifier.verify(`Bearer ${token}`));

    // Assess
    expect([early, stillEarly, inTime, afterExpiry]).toEqual([
      'TOKEN_INVALID',
      'TOKEN_INVALID',
      'ACCEPTED',
      'TOKEN_EXPIRED',
    ]);
  });

  it('refuses RS256 tokens when no JWKS is configured', async () => {
    const token = await cognitoToken({ email: 'a@b.co' });
    expect(await codeOf(new TokenVerifier(config({ jwks: null })).verify(`Bearer ${token}`))).toBe(
      'TOKEN_INVALID',
    );
  });

  it.each([
    [undefined, 'TOKEN_MISSING'],
    ['', 'TOKEN_MISSING'],
    ['Bearer', 'TOKEN_INVALID'],
    ['Token abc.def.ghi', 'TOKEN_INVALID'],
    ['Bearer not-a-jwt', 'TOKEN_INVALID'],
  ])('refuses the header %p with %s', async (header, code) => {
    expect(await codeOf(new TokenVerifier(config()).verify(header))).toBe(code);
  });

  it('needs at least one way to verify', () => {
    expect(() => new TokenVerifier(config({ hs256Secret: null, jwks: null }))).toThrow(
      /HS256 secret, a JWKS URL/,
    );
  });
});
