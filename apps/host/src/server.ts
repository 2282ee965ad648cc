import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Host } from './composition';
import { startRelay } from './eventing';
import { createExpressApp } from './express-app';
import { projectStreamHandler } from './sse/project-stream.handler';

/** A listening host and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, drains in-flight requests (up to `graceMs`), then closes the host. */
  stop(graceMs?: number): Promise<void>;
}

/** Serves the host's API over HTTP. */
export async function listen(host: Host, port: number, hostname: string): Promise<RunningServer> {
  const live = host.live;
  const server = createServer(
    createExpressApp(
      host.api,
      live ? projectStreamHandler(live.gate, live.hub, host.logger) : undefined,
    ),
  );
  live?.hub.start();
  const relay = startRelay(host);
  // Keep-alive sockets outlive load balancers' idle timeouts, never the other way round.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
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
