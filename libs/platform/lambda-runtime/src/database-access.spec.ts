import { dsqlSignerTokens } from './database-access';

const ENDPOINT = 'abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws';

/** The token `@aws-sdk/dsql-signer` makes: a SigV4-presigned URL without its scheme. */
function parseToken(token: string): { host: string; query: URLSearchParams } {
  const url = new URL(`https://${token}`);
  return { host: url.host, query: url.searchParams };
}

describe('dsqlSignerTokens (the real @aws-sdk/dsql-signer)', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    // The default credential chain reads these first: the execution role's, on AWS.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLESTATIC',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    delete process.env['AWS_SESSION_TOKEN'];
  });

  afterAll(() => {
    process.env = saved;
  });

  it.each([
    ['admin', 'DbConnectAdmin'],
    ['taskflow_app', 'DbConnect'],
  ])(
    'signs a presigned %s token for the endpoint, Region and action %s, valid 15 minutes',
    async (user, action) => {
      const token = await dsqlSignerTokens({ endpoint: ENDPOINT, region: 'eu-west-1', user })();
      const { host, query } = parseToken(token);

      expect(token.startsWith(`${ENDPOINT}/?`)).toBe(true);
      expect(host).toBe(ENDPOINT);
      expect(query.get('Action')).toBe(action);
      expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(query.get('X-Amz-Credential')).toMatch(
        /^AKIDEXAMPLESTATIC\/\d{8}\/eu-west-1\/dsql\/aws4_request$/,
      );
      expect(query.get('X-Amz-Expires')).toBe('900');
      expect(query.get('X-Amz-SignedHeaders')).toBe('host');
      expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(token).not.toContain('wJalrXUtnFEMI');
    },
  );

  it('signs anew at each call: a later connection gets a later token, never a cached one', async () => {
    const token = dsqlSignerTokens({ endpoint: ENDPOINT, region: 'eu-west-1', user: 'admin' });
    const first = parseToken(await token());
    // SigV4 dates have one-second resolution.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = parseToken(await token());

    expect(second.query.get('X-Amz-Date')).not.toBe(first.query.get('X-Amz-Date'));
    expect(second.query.get('X-Amz-Signature')).not.toBe(first.query.get('X-Amz-Signature'));
  });
});
