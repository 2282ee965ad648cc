import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeLocally, listenLocally, readBodyUpTo } from '../http/local-server';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const GET_SECRET_VALUE_TARGET = 'secretsmanager.GetSecretValue';
const ACCOUNT = '123456789012';
/** Bodies past this are not GetSecretValue traffic; refusing them keeps a runaway test bounded. */
const MAX_BODY_BYTES = 64 * 1024;

/** One GetSecretValue request as the fake saw it and answered it. */
export interface FakeGetSecretValueCall {
  /** 1-based number of the request, in arrival order. */
  readonly request: number;
  /** `SecretId` as sent: a name or an ARN. */
  readonly secretId: string;
  /** The version answered, or null when the call failed. */
  readonly versionId: string | null;
  /** The error type of a failed call, e.g. `ResourceNotFoundException`. */
  readonly errorType?: string;
}

/** A secret the fake holds: its ARN and name. */
export interface FakeSecret {
  readonly arn: string;
  readonly name: string;
}

interface Version {
  readonly id: string;
  readonly value: string;
  readonly createdAt: Date;
  stages: string[];
}

interface Stored extends FakeSecret {
  readonly versions: Version[];
}

/** Options of {@link FakeSecretsManager.start}. */
export interface FakeSecretsManagerOptions {
  /** Region in the ARNs it makes; eu-west-1 unless given. */
  readonly region?: string;
  /** Interface to listen on; 127.0.0.1 unless given. */
  readonly host?: string;
}

/**
 * A local HTTP endpoint that speaks Secrets Manager's GetSecretValue over the AWS JSON 1.1
 * protocol (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`), well enough for the real
 * `SecretsManagerClient` pointed at it with `endpoint` to read secrets and parse its errors.
 * Secrets have versions and staging labels as the service keeps them: {@link rotate} adds a
 * version labelled `AWSCURRENT` and moves the label `AWSPREVIOUS` to the one it replaces, so a
 * test can rotate a secret under a running function. Every call is recorded, so tests count
 * fetches on the wire instead of mocking the client. Unsigned calls are refused, as the real
 * service refuses them.
 */
export class FakeSecretsManager {
  private readonly secrets: Stored[] = [];
  private readonly log: FakeGetSecretValueCall[] = [];
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  private constructor(
    private readonly server: Server,
    /** Base URL to give the SDK as `endpoint` (or `SECRETS_MANAGER_ENDPOINT`). */
    readonly url: string,
    private readonly region: string,
  ) {}

  /** Starts a fake on a free local port. Call {@link stop} when done. */
  static async start(options: FakeSecretsManagerOptions = {}): Promise<FakeSecretsManager> {
    const server = createServer();
    const fake = new FakeSecretsManager(
      server,
      await listenLocally(server, options.host ?? '127.0.0.1', 0),
      options.region ?? 'eu-west-1',
    );
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      fake.handle(request, response).catch((error: unknown) => {
        // A handler bug must surface as a 500 the client sees, not as an unhandled rejection.
        answer(response, 500, errorBody('InternalServiceError', String(error)));
      });
    });
    return fake;
  }

  /** Every GetSecretValue call, in order (a live view). */
  get calls(): readonly FakeGetSecretValueCall[] {
    return this.log;
  }

  /** Creates a secret whose first version (`AWSCURRENT`) holds `value`. */
  createSecret(name: string, value: string): FakeSecret {
    if (this.find(name) !== undefined) throw new Error(`secret ${name} already exists`);
    // Secrets Manager appends a dash and six random characters to the name in the ARN.
    const suffix = randomBytes(3).toString('hex');
    const arn = `arn:aws:secretsmanager:${this.region}:${ACCOUNT}:secret:${name}-${suffix}`;
    const secret: Stored = { arn, name, versions: [] };
    this.secrets.push(secret);
    this.addVersion(secret, value);
    return { arn, name };
  }

  /**
   * Stores a new version of a secret (by name or ARN) as `AWSCURRENT`, the previous current one
   * becoming `AWSPREVIOUS`, as a rotation's finishSecret step leaves them. Returns its VersionId.
   */
  rotate(secretId: string, value: string): string {
    const secret = this.find(secretId);
    if (secret === undefined) throw new Error(`no secret ${secretId}`);
    return this.addVersion(secret, value);
  }

  /** Calls that asked for `secretId` (a name or an ARN of one secret: both count). */
  callsFor(secretId: string): readonly FakeGetSecretValueCall[] {
    const secret = this.find(secretId);
    return this.log.filter((call) => secret !== undefined && this.find(call.secretId) === secret);
  }

  /** Stops listening and drops open connections (the SDK keeps them alive). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await closeLocally(this.server, this.pending);
  }

  private addVersion(secret: Stored, value: string): string {
    for (const version of secret.versions) {
      version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (version.stages.includes('AWSCURRENT')) {
        version.stages = [
          ...version.stages.filter((stage) => stage !== 'AWSCURRENT'),
          'AWSPREVIOUS',
        ];
      }
    }
    const id = randomUUID();
    secret.versions.push({ id, value, createdAt: new Date(), stages: ['AWSCURRENT'] });
    return id;
  }

  private find(secretId: string): Stored | undefined {
    return this.secrets.find((secret) => secret.arn === secretId || secret.name === secretId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = (await readBodyUpTo(request, MAX_BODY_BYTES))?.toString('utf8') ?? null;
    if (body === null) {
      answer(response, 413, errorBody('InvalidRequestException', 'Request body too large.'));
      return;
    }
    if (request.method !== 'POST' || (request.url ?? '/') !== '/') {
      answer(response, 404, errorBody('UnknownOperationException', 'Not found.'));
      return;
    }
    if (request.headers['x-amz-target'] !== GET_SECRET_VALUE_TARGET) {
      answer(response, 400, errorBody('UnknownOperationException', 'Unsupported operation.'));
      return;
    }
    if (!(request.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
      answer(response, 400, errorBody('SerializationException', `Expected ${CONTENT_TYPE}.`));
      return;
    }
    if (!(request.headers.authorization ?? '').startsWith('AWS4-')) {
      answer(response, 400, errorBody('MissingAuthenticationTokenException', 'Missing token.'));
      return;
    }
    const number = this.log.length + 1;
    let input: { SecretId?: unknown; VersionId?: unknown; VersionStage?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      this.refuse(response, number, '', 'SerializationException', 'Malformed JSON.');
      return;
    }
    const secretId = typeof input.SecretId === 'string' ? input.SecretId : '';
    if (secretId === '') {
      this.refuse(response, number, secretId, 'InvalidParameterException', 'SecretId is required.');
      return;
    }
    const secret = this.find(secretId);
    const version = secret?.versions.find((candidate) =>
      typeof input.VersionId === 'string'
        ? candidate.id === input.VersionId
        : candidate.stages.includes(
            typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT',
          ),
    );
    if (secret === undefined || version === undefined) {
      this.refuse(
        response,
        number,
        secretId,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
      return;
    }
    this.log.push({ request: number, secretId, versionId: version.id });
    answer(response, 200, {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      SecretString: version.value,
      VersionStages: version.stages,
      // AWS JSON 1.1 sends timestamps as epoch seconds.
      CreatedDate: version.createdAt.getTime() / 1000,
    });
  }

  private refuse(
    response: ServerResponse,
    request: number,
    secretId: string,
    type: string,
    message: string,
  ): void {
    this.log.push({ request, secretId, versionId: null, errorType: type });
    answer(response, 400, errorBody(type, message));
  }
}

function errorBody(type: string, message: string): { __type: string; message: string } {
  return { __type: type, message };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  if (response.destroyed || response.headersSent) return;
  const text = JSON.stringify(body);
  const type = (body as { __type?: unknown }).__type;
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    // AWS JSON 1.1 names the error in `__type`; the header is what some SDKs read first.
    ...(typeof type === 'string' ? { 'x-amzn-errortype': type } : {}),
  });
  response.end(text);
}
