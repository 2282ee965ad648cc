import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  answerLocally,
  checkedLatency,
  LocalFakeEndpoint,
  type LocalListenOptions,
} from '../http/local-fake-endpoint';
import { readBodyUpTo } from '../http/local-server';

/** Largest message API Gateway accepts in one PostToConnection call (128 KB). */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 128 * 1024;
/** Bodies past this are not management traffic; refusing them keeps a runaway test bounded. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const CONNECTION_PATH = /^(?:\/([^/]+))?\/@connections\/([^/?]+)\/?(?:\?.*)?$/;

/** The ways a connection can be gone for the management API (see `goneConnection`). */
export const GONE_CONNECTION_CASES = ['never opened', 'closed by the client'] as const;

/** A whole-call error the fake can be told to answer, e.g. a throttle or a server fault. */
export interface FakeManagementError {
  /** The error's name, e.g. `LimitExceededException`, `ForbiddenException`, `InternalServerError`. */
  readonly type: string;
  /** HTTP status, e.g. 429, 403, 500. */
  readonly status: number;
  readonly message?: string;
}

/** One management call as it arrived, and what the fake answered. */
export interface FakeManagementCall {
  readonly method: string;
  /** The stage segment before `/@connections`, or null when the endpoint had none. */
  readonly stage: string | null;
  readonly connectionId: string;
  /** HTTP status answered. */
  readonly status: number;
  /** Error name answered, when the call failed. */
  readonly errorType?: string;
}

/** How the fake misbehaves, besides what real connections do (go away, overflow). */
export interface FakeManagementBehaviour {
  /** Delay before each call is processed and answered. */
  readonly latencyMs?: number;
  /** Makes a post fail: returns the error to answer, or null to deliver. */
  readonly failPosts?: ((connectionId: string, data: Buffer) => FakeManagementError | null) | null;
  /** Makes a delete fail: returns the error to answer, or null to close. */
  readonly failDeletes?: ((connectionId: string) => FakeManagementError | null) | null;
}

/** Options of {@link FakeApiGatewayManagementServer.start}. */
export interface FakeApiGatewayManagementOptions
  extends FakeManagementBehaviour, LocalListenOptions {}

interface Connection {
  readonly connectedAt: Date;
  lastActiveAt: Date;
  readonly messages: Buffer[];
  open: boolean;
  closedBy: 'server' | 'client' | null;
}

/**
 * A local HTTP endpoint speaking API Gateway's WebSocket management API (the `@connections`
 * callback URL) over its REST-JSON wire protocol, well enough for the real
 * `ApiGatewayManagementApiClient` pointed at it to post, close and describe connections:
 *
 * - `POST [/{stage}]/@connections/{id}` with the message as the raw body: 200, or 410
 *   `GoneException` for an unknown or closed connection, 413 `PayloadTooLargeException` past
 *   128 KB;
 * - `DELETE [/{stage}]/@connections/{id}`: 204, or 410 `GoneException`;
 * - `GET [/{stage}]/@connections/{id}`: 200 with `connectedAt`, `identity`, `lastActiveAt`.
 *
 * Unsigned calls are refused (403 `ForbiddenException`), which proves the client signed them.
 * Tests open connections with {@link connect}, end them from the client's side with
 * {@link disconnect}, inject failures and latency, and read what each connection received.
 */
export class FakeApiGatewayManagementServer {
  private readonly connections = new Map<string, Connection>();
  private readonly log: FakeManagementCall[] = [];
  private settings: Required<FakeManagementBehaviour> = {
    latencyMs: 0,
    failPosts: null,
    failDeletes: null,
  };
  private inFlight = 0;
  private peak = 0;

  private constructor(private readonly local: LocalFakeEndpoint) {}

  /** Starts a fake on a free local port. Call {@link stop} when done. */
  static async start(
    options: FakeApiGatewayManagementOptions = {},
  ): Promise<FakeApiGatewayManagementServer> {
    const fake = new FakeApiGatewayManagementServer(await LocalFakeEndpoint.listen(options));
    fake.configure(options);
    fake.local.serve(
      (request, response) => fake.handle(request, response),
      (response, error) => {
        answerError(response, 500, 'InternalServerError', String(error));
      },
    );
    return fake;
  }

  /** Base URL of the server, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return this.local.url;
  }

  /** The callback URL of a stage, as API Gateway gives it: `{url}/{stage}`. */
  endpoint(stage: string): string {
    return `${this.url}/${encodeURIComponent(stage)}`;
  }

  /**
   * Opens a connection as a client connecting would, and answers its id (one in API Gateway's
   * shape, e.g. `L0SM9cOFvHcCIhw=`, unless given).
   */
  connect(connectionId: string = randomBytes(11).toString('base64')): string {
    const now = new Date();
    this.connections.set(connectionId, {
      connectedAt: now,
      lastActiveAt: now,
      messages: [],
      open: true,
      closedBy: null,
    });
    return connectionId;
  }

  /** Ends a connection from the client's side: later calls on it answer 410 Gone. */
  disconnect(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (connection?.open === true) {
      connection.open = false;
      connection.closedBy = 'client';
    }
  }

  /** The id of a connection calls answer 410 Gone for: one never opened, or closed by its client. */
  goneConnection(how: (typeof GONE_CONNECTION_CASES)[number]): string {
    if (how === 'never opened') return 'unknown=';
    const id = this.connect();
    this.disconnect(id);
    return id;
  }

  /** True while the connection is open. */
  isOpen(connectionId: string): boolean {
    return this.connections.get(connectionId)?.open === true;
  }

  /** Who closed the connection (`server`: a DELETE), or null while open or unknown. */
  closedBy(connectionId: string): 'server' | 'client' | null {
    return this.connections.get(connectionId)?.closedBy ?? null;
  }

  /** The messages a connection received, as UTF-8 text, in order. */
  received(connectionId: string): string[] {
    return (this.connections.get(connectionId)?.messages ?? []).map((m) => m.toString('utf8'));
  }

  /** Every call the fake answered, in order (a live view). */
  get calls(): readonly FakeManagementCall[] {
    return this.log;
  }

  /** The most calls ever being processed at once. */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Changes how the fake behaves from the next call on; omitted settings are kept. */
  configure(behaviour: FakeManagementBehaviour): void {
    const next = { ...this.settings };
    if (behaviour.latencyMs !== undefined) next.latencyMs = checkedLatency(behaviour.latencyMs);
    if (behaviour.failPosts !== undefined) next.failPosts = behaviour.failPosts;
    if (behaviour.failDeletes !== undefined) next.failDeletes = behaviour.failDeletes;
    this.settings = next;
  }

  /** Stops listening, drops open sockets and calls still waiting out their latency. */
  stop(): Promise<void> {
    return this.local.stop();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBodyUpTo(request, MAX_BODY_BYTES);
    const match = CONNECTION_PATH.exec(request.url ?? '/');
    const method = request.method ?? 'GET';
    if (match === null) {
      answerError(response, 404, 'NotFoundException', 'No method found matching route.');
      return;
    }
    const stage = match[1] === undefined ? null : decodeURIComponent(match[1]);
    const connectionId = decodeURIComponent(match[2] ?? '');
    const record = (status: number, errorType?: string): void => {
      this.log.push({
        method,
        stage,
        connectionId,
        status,
        ...(errorType === undefined ? {} : { errorType }),
      });
    };
    const refuse = (status: number, type: string, message: string): void => {
      record(status, type);
      answerError(response, status, type, message);
    };
    if (!(request.headers.authorization ?? '').startsWith('AWS4-')) {
      refuse(403, 'ForbiddenException', 'Missing Authentication Token');
      return;
    }
    if (body === null) {
      refuse(413, 'PayloadTooLargeException', 'Message too long');
      return;
    }

    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      if (this.settings.latencyMs > 0) await this.local.delay(this.settings.latencyMs);
    } finally {
      this.inFlight -= 1;
    }
    if (this.local.stopped) return;

    /** The open connection; else null, the failure given (or 410 Gone) answered. */
    const openConnection = (failure: FakeManagementError | null): Connection | null => {
      const connection = this.connections.get(connectionId);
      if (failure !== null) refuse(failure.status, failure.type, failure.message ?? failure.type);
      else if (connection?.open !== true)
        refuse(410, 'GoneException', `Connection ${connectionId} is gone`);
      else return connection;
      return null;
    };
    switch (method) {
      case 'POST': {
        const connection = openConnection(this.settings.failPosts?.(connectionId, body) ?? null);
        if (connection === null) return;
        if (body.length > MAX_WEBSOCKET_MESSAGE_BYTES) {
          refuse(413, 'PayloadTooLargeException', 'Message too long');
          return;
        }
        connection.messages.push(body);
        connection.lastActiveAt = new Date();
        record(200);
        answer(response, 200, null);
        return;
      }
      case 'DELETE': {
        const connection = openConnection(this.settings.failDeletes?.(connectionId) ?? null);
        if (connection === null) return;
        connection.open = false;
        connection.closedBy = 'server';
        record(204);
        answer(response, 204, null);
        return;
      }
      case 'GET': {
        const connection = openConnection(null);
        if (connection === null) return;
        record(200);
        answer(response, 200, {
          connectedAt: connection.connectedAt.toISOString(),
          lastActiveAt: connection.lastActiveAt.toISOString(),
          identity: { sourceIp: '192.0.2.1', userAgent: 'taskflow-test-client' },
        });
        return;
      }
      default:
        refuse(405, 'MethodNotAllowedException', `${method} is not supported.`);
    }
  }
}

function answerError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
): void {
  // REST-JSON names the error in the `x-amzn-ErrorType` header, as API Gateway does.
  answer(response, status, { message }, { 'x-amzn-errortype': type });
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = body === null ? '' : JSON.stringify(body);
  answerLocally(response, status, text, text === '' ? null : 'application/json', headers);
}
