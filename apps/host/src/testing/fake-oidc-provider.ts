import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';

/** Who the provider signs in next, as its hosted UI would after a password. */
export interface FakeOidcUser {
  readonly subject: string;
  readonly email: string;
  readonly name: string;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | null;
  readonly user: FakeOidcUser;
}

/**
 * An OpenID Connect provider in the test process, shaped like Cognito's hosted UI: its
 * authorization endpoint signs the next user in at once and redirects back with a code (after
 * checking the client, the redirect URI and an S256 challenge), its token endpoint redeems a
 * code once, and only for the verifier whose SHA-256 is the challenge, with CORS headers for
 * the board's origin, answering an RS256 ID token signed with the key its JWKS serves.
 */
export class FakeOidcProvider {
  /** Who the next authorization signs in. */
  user: FakeOidcUser = { subject: 'idp-sub-1', email: 'olivia@example.com', name: 'Olivia' };
  /** When true, the next authorization answers another state than it was sent (then resets). */
  tamperNextState = false;
  /** Every request the provider refused, with why (for the tests' failure messages). */
  readonly refusals: string[] = [];
  /** The logout requests received, as their query parameters. */
  readonly logouts: URLSearchParams[] = [];
  /** Codes issued and not redeemed yet. */
  private readonly codes = new Map<string, IssuedCode>();
  /** The board's origin, allowed by CORS and in redirect URIs (set once the host listens). */
  boardOrigin = '';

  private constructor(
    private readonly server: Server,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    readonly clientId: string,
  ) {}

  static async start(clientId = 'taskflow-board'): Promise<FakeOidcProvider> {
    const pair = await generateKeyPair('RS256');
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer();
    const provider = new FakeOidcProvider(server, pair.privateKey, publicJwk, clientId);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      provider.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}`;
  }

  /** The `iss` of its tokens. */
  get issuer(): string {
    return `${this.url}/pool`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      this.json(res, 200, { keys: [this.publicJwk] });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      this.authorize(url.searchParams, res);
      return;
    }
    if (url.pathname === '/oauth2/token') {
      res.setHeader('access-control-allow-origin', this.boardOrigin);
      res.setHeader('vary', 'origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'POST');
        res.setHeader('access-control-allow-headers', 'content-type');
        res.statusCode = 204;
        res.end();
        return;
      }
      if (req.method === 'POST') {
        await this.token(await bodyOf(req), res);
        return;
      }
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      this.logouts.push(url.searchParams);
      const back = url.searchParams.get('logout_uri') ?? '';
      if (
        url.searchParams.get('client_id') !== this.clientId ||
        !back.startsWith(this.boardOrigin)
      ) {
        this.refuse(
          res,
          `logout with client ${String(url.searchParams.get('client_id'))} to ${back}`,
        );
        return;
      }
      res.writeHead(302, { location: back }).end();
      return;
    }
    res.writeHead(404).end();
  }

  private authorize(params: URLSearchParams, res: ServerResponse): void {
    const redirectUri = params.get('redirect_uri') ?? '';
    const problems = [
      params.get('response_type') === 'code' ? null : 'response_type is not code',
      params.get('client_id') === this.clientId ? null : 'unknown client_id',
      redirectUri === `${this.boardOrigin}/auth/callback` ? null : `redirect_uri ${redirectUri}`,
      params.get('code_challenge_method') === 'S256' ? null : 'code_challenge_method is not S256',
      /^[A-Za-z0-9_-]{43}$/.test(params.get('code_challenge') ?? '') ? null : 'no code_challenge',
      (params.get('scope') ?? '').split(' ').includes('openid') ? null : 'no openid scope',
    ].filter((problem) => problem !== null);
    if (problems.length > 0) {
      this.refuse(res, `authorize: ${problems.join(', ')}`);
      return;
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri,
      challenge: params.get('code_challenge') ?? '',
      nonce: params.get('nonce'),
      user: this.user,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = params.get('state') ?? '';
    back.searchParams.set('state', this.tamperNextState ? `${state}-tampered` : state);
    this.tamperNextState = false;
    res.writeHead(302, { location: back.toString() }).end();
  }

  private async token(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    // A code is redeemed once, whatever the outcome.
    this.codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const problem =
      form.get('grant_type') !== 'authorization_code'
        ? 'grant_type'
        : issued === undefined
          ? 'unknown or used code'
          : form.get('client_id') !== issued.clientId
            ? 'client_id'
            : form.get('redirect_uri') !== issued.redirectUri
              ? 'redirect_uri'
              : challenge !== issued.challenge
                ? 'code_verifier does not match the challenge'
                : null;
    if (problem !== null || issued === undefined) {
      this.refusals.push(`token: ${String(problem)}`);
      this.json(res, 400, { error: 'invalid_grant', error_description: problem });
      return;
    }
    const idToken = await new SignJWT({
      email: issued.user.email,
      email_verified: true,
      name: issued.user.name,
      token_use: 'id',
      ...(issued.nonce === null ? {} : { nonce: issued.nonce }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(issued.user.subject)
      .setIssuer(this.issuer)
      .setAudience(this.clientId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(this.privateKey);
    this.json(res, 200, {
      id_token: idToken,
      access_token: `access-${code}`,
      token_type: 'Bearer',
      expires_in: 3600,
    });
  }

  private refuse(res: ServerResponse, why: string): void {
    this.refusals.push(why);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(why);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
