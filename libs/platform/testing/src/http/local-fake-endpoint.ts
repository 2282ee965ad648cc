import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeLocally, listenLocally } from './local-server';

/** Where a local fake listens. */
export interface LocalListenOptions {
  /** Interface to listen on; 127.0.0.1 unless given. */
  readonly host?: string;
  /** Port to listen on; a free one unless given. */
  readonly port?: number;
}

/**
 * The HTTP side of a local fake AWS endpoint: a server on a local port, the injected delays
 * its answers wait out, and a stop that cancels them and drops the SDK's kept-alive sockets.
 */
export class LocalFakeEndpoint {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopping = false;

  private constructor(
    private readonly server: Server,
    /** Base URL of the server, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
  ) {}

  /** Starts listening on `host:port` (127.0.0.1 and a free port unless given). */
  static async listen(options: LocalListenOptions = {}): Promise<LocalFakeEndpoint> {
    const server = createServer();
    return new LocalFakeEndpoint(
      server,
      await listenLocally(server, options.host ?? '127.0.0.1', options.port ?? 0),
    );
  }

  /** True once {@link stop} was called: a request waking from its delay then answers nothing. */
  get stopped(): boolean {
    return this.stopping;
  }

  /**
   * Hands every request to `handle`; a throw (a handler bug) is answered by `fail` as a 500 the
   * client sees, not left as an unhandled rejection.
   */
  serve(
    handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
    fail: (response: ServerResponse, error: unknown) => void,
  ): void {
    this.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      handle(request, response).catch((error: unknown) => {
        fail(response, error);
      });
    });
  }

  /** Waits `ms`, unless {@link stop} cancels the wait first (then it never resolves). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });
  }

  /** Stops listening, drops open connections and requests still waiting out their delay. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await closeLocally(this.server, this.pending);
  }
}

/** An injected latency, checked: a fake refuses a negative or NaN one. */
export function checkedLatency(ms: number): number {
  if (!(ms >= 0)) throw new RangeError('latencyMs must be ≥ 0');
  return ms;
}

/**
 * Answers `text` with its length and a fresh `x-amzn-requestid`, unless the client gave up
 * (timeout) while the answer waited out its latency.
 */
export function answerLocally(
  response: ServerResponse,
  status: number,
  text: string,
  contentType: string | null,
  headers: OutgoingHttpHeaders = {},
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    ...(contentType === null ? {} : { 'content-type': contentType }),
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}
