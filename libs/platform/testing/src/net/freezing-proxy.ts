import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
}

/**
 * An in-process TCP proxy in front of a server (PostgreSQL) that can freeze: sockets stay open
 * but no byte moves either way, and connections opened meanwhile are accepted but not
 * forwarded, as when the server's host stops scheduling it (SIGSTOP, a VM pause, a storage
 * stall). What was sent meanwhile, a close included, waits in the socket buffers and is
 * delivered on {@link thaw}, as a resumed server would read it.
 */
export class FreezingProxy {
  private readonly pairs = new Set<Pair>();
  private frozen = false;

  private constructor(
    private readonly server: Server,
    private readonly target: { readonly host: string; readonly port: number },
  ) {}

  /** Listens on a free port of 127.0.0.1, forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<FreezingProxy> {
    const server = createServer();
    const proxy = new FreezingProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `url` (a postgres:// URL of the target) with its host and port replaced by the proxy's. */
  through(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Stops forwarding, both ways, on every connection and on those opened from now on. */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) {
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  /** Forwards again, starting with whatever was sent while frozen. */
  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) {
      if (pair.upstream === null) this.open(pair);
      pair.client.resume();
      pair.upstream?.resume();
    }
  }

  /** Closes the proxy and every connection through it. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: null };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (this.frozen) client.pause();
    else this.open(pair);
  }

  private open(pair: Pair): void {
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    // Explicit reads rather than pipe(): pause() must hold every byte, and pipe() resumes on drain.
    pair.client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => pair.client.write(chunk));
    pair.client.on('end', () => upstream.end());
    upstream.on('end', () => pair.client.end());
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
