import { ConfigError } from '@taskflow/platform-config';
import { loadConfig } from './config';
import { asRecord, expectProblem } from './testing/responses';
import { startTestHost, useTestHost } from './testing/test-host';

const JWKS = {
  JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
  JWKS_ISSUER: 'https://idp.example.com',
};

describe('POST /dev/sign-in (the web board’s local sign-in)', () => {
  describe('is served only in the local default set-up', () => {
    it.each<[string, Record<string, string>, boolean]>([
      ['nothing set (npm start)', {}, true],
      ['JWT_SECRET set', { JWT_SECRET: 'x'.repeat(40) }, false],
      ['JWKS_URL set', JWKS, false],
      ['JWKS_URL and JWT_SECRET set', { ...JWKS, JWT_SECRET: 'x'.repeat(40) }, false],
      ['TASKFLOW_DEV_SIGN_IN=false', { TASKFLOW_DEV_SIGN_IN: 'false' }, false],
      [
        'TASKFLOW_DEV_SIGN_IN=true with JWT_SECRET',
        { TASKFLOW_DEV_SIGN_IN: 'true', JWT_SECRET: 'x'.repeat(40) },
        true,
      ],
    ])('%s → %s', (_case, env, served) => {
      expect(loadConfig(env).devSignIn).toBe(served);
    });

    it('refuses TASKFLOW_DEV_SIGN_IN=true beside JWKS_URL, naming the variable', () => {
      const load = () => loadConfig({ ...JWKS, TASKFLOW_DEV_SIGN_IN: 'true' });

      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/TASKFLOW_DEV_SIGN_IN/);
    });
  });

  describe('on a host that serves it', () => {
    const t = useTestHost('devsignin', { devSignIn: true });

    it('answers a token for the address, registering the user once, that the API accepts', async () => {
      const body = { name: 'Dana Dev', email: `dana.${Date.now()}@example.com` };

      const first = await t.request('POST', '/dev/sign-in', { body });
      const again = await t.request('POST', '/dev/sign-in', { body: { ...body, name: 'Other' } });

      expect(first.status).toBe(200);
      const signedIn = asRecord(first.body);
      expect(signedIn).toMatchObject({
        token: expect.any(String),
        user: { email: body.email, name: body.name },
      });
      const expiresAt = Date.parse(String(signedIn['expiresAt']));
      expect(expiresAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 12 * 3600_000);
      // The same person again: the same user, unchanged.
      expect(asRecord(asRecord(again.body)['user'])).toEqual(signedIn['user']);
      const me = await t.request('GET', '/users/me', { token: String(signedIn['token']) });
      expect(me.status).toBe(200);
      expect(asRecord(me.body)['email']).toBe(body.email);
    });

    it.each<[string, string, unknown]>([
      ['email', 'not an address', { name: 'Ok', email: 'not-an-email' }],
      ['email', 'missing', { name: 'Ok' }],
      ['name', 'empty', { name: '', email: 'ok@example.com' }],
      ['password', 'an unknown field', { name: 'Ok', email: 'ok@example.com', password: 'x' }],
    ])('400 naming %s when %s', async (path, _case, body) => {
      const problem = expectProblem(await t.request('POST', '/dev/sign-in', { body }), 400);

      expect(problem['errors']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    });

    it('is documented in /openapi.json', async () => {
      const document = asRecord((await t.request('GET', '/openapi.json')).body);

      expect(Object.keys(asRecord(document['paths']))).toContain('/dev/sign-in');
    });
  });

  it('a host verifying an identity provider’s tokens answers 404 and does not document it', async () => {
    const config = loadConfig(JWKS);
    const t = await startTestHost('devsignin_jwks', {
      jwks: config.jwks,
      devSignIn: config.devSignIn,
    });
    try {
      const response = await t.request('POST', '/dev/sign-in', {
        body: { name: 'Eve', email: 'eve@example.com' },
      });
      const document = asRecord((await t.request('GET', '/openapi.json')).body);

      expect(response.status).toBe(404);
      expect(Object.keys(asRecord(document['paths']))).not.toContain('/dev/sign-in');
      const { persistence } = t.host;
      expect(
        await persistence.db.run(() => persistence.users.findByEmail('eve@example.com')),
      ).toBeNull();
    } finally {
      await t.stop();
    }
  });
});
