import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { asRecord } from './testing/responses';
import { type TestHost, startTestHost } from './testing/test-host';

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';

describe('tokens of an external identity provider (JWKS, RS256)', () => {
  let jwks: Server;
  let t: TestHost;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    t = await startTestHost('jwks', { jwks: { url, issuer: ISSUER, audience: null } });
  });

  afterAll(async () => {
    await t.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const tokenFor = (subject: string, email: string) =>
    new SignJWT({ email, name: 'Dana External' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setExpirationTime('10m')
      .sign(privateKey);

  it('registers the user on first sight, by e-mail, and recognises them afterwards', async () => {
    // Prepare
    const token = await tokenFor('idp-sub-42', 'dana@example.com');

    // Act
    const first = await t.request('GET', '/users/me', { token });
    const second = await t.request('GET', '/users/me', { token });

    // Assess
    expect(first.status).toBe(200);
    expect(asRecord(first.body)).toMatchObject({
      email: 'dana@example.com',
      name: 'Dana External',
    });
    expect(asRecord(second.body)['id']).toBe(asRecord(first.body)['id']);
  });

  it('maps an external sign-in to the existing user with that e-mail (any case)', async () => {
    const existing = await t.login('erin@example.com', 'Erin');
    const response = await t.request('GET', '/users/me', {
      token: await tokenFor('idp-sub-43', 'ERIN@example.com'),
    });
    expect(asRecord(response.body)['id']).toBe(existing.userId);
  });

  it('still accepts Taskflow’s own tokens alongside', async () => {
    const { token } = await t.login('local@example.com');
    expect((await t.request('GET', '/users/me', { token })).status).toBe(200);
  });
});
