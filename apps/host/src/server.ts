import { STATUS_CODES, createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { HttpApi, TransportFailureStatus } from '@taskflow/platform-http';
import type { Host } from './composition';
import { boardConfigOf } from './board-config';
import { startRelay } from './eventing';
import { createExpressApp } from './express-app';
import { requestHeadOf, send } from './express-http';
import { projectStreamHandler } from './sse/project-stream.handler';

/** A listening host and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, drains in-flight requests (up to `graceMs`), then closes the host. */
  stop(graceMs?: number): Promise<void>;
}

/** How often Node checks the header and request timeouts (its default, 30 s, quadruples them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Serves the host's API over HTTP. */
export async function listen(host: Host, port: number, hostname: string): Promise<RunningServer> {
  const live = host.live;
  const limits = host.config.http;
  const app = createExpressApp(
    host.api,
    live
      ? projectStreamHandler({ gate: live.gate, hub: live.hub, api: host.api, logger: host.logger })
      : undefined,
    host.config.webDir,
    boardConfigOf(host.config),
  );
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  answerTransportErrors(server, host.api);
  // A body is invited (100 Continue) only once the request line and headers would be accepted.
  server.on('checkContinue', (req, res) => {
    void host.api.admit(requestHeadOf(req)).then((refusal) => {
      if (refusal === null) {
        res.writeContinue();
        app(req, res);
        return;
      }
      // The body the client may still send is never read: the connection cannot be reused.
      send(res, { ...refusal, headers: { ...refusal.headers, connection: 'close' } });
    });
  });
  server.on('checkExpectation', (req, res) => {
    const request = requestHeadOf(req);
    const failure = host.api.transportFailure(417, 'the only expectation served is 100-continue');
    send(res, { ...failure, headers: { ...failure.headers, ...host.api.commonHeaders(request) } });
  });
  live?.hub.start();
  const relay = startRelay(host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shown}:${address.port}`,
    server,
    stop: (graceMs = 10_000) => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Streams never end by themselves: end them so that the server can drain.
        live?.hub.stop();
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        // Requests are drained: publish what they committed before the pool closes.
        await relay.stop();
        await host.close();
      })();
      return stopping;
    },
  };
}

/**
 * Node answers requests its parser refuses (oversized headers, malformed request lines, slow
 * clients) in bare text; these get the same problem+json documents as every other error.
 */
function answerTransportErrors(server: Server, api: HttpApi): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A response already under way (or a socket gone) cannot carry another status line.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, detail] = transportFailureOf(error);
    const problem = api.transportFailure(status, detail);
    const body = JSON.stringify(problem.body);
    const headers = {
      ...problem.headers,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n${body}`,
    );
  });
}

function transportFailureOf(error: NodeJS.ErrnoException): [TransportFailureStatus, string] {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'the request headers are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'the request took too long to arrive'];
    default:
      return [400, 'the request could not be parsed as HTTP/1.1'];
  }
}
