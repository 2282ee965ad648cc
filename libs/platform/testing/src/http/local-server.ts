import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` listening on `host:port` (0: a free port); resolves with its base URL. */
export async function listenLocally(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port: bound } = server.address() as AddressInfo;
  const hostName = address.includes(':') ? `[${address}]` : address;
  return `http://${hostName}:${String(bound)}`;
}

/**
 * Stops a fake: cancels the answers still waiting out their injected latency, stops listening,
 * and drops open sockets (the SDK keeps connections alive; close() would wait for them to idle).
 */
export async function closeLocally(server: Server, pending: Set<NodeJS.Timeout>): Promise<void> {
  for (const timer of pending) clearTimeout(timer);
  pending.clear();
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
  server.closeAllConnections();
  await closed;
}

/**
 * A fake's request body, or null when it exceeds `maxBytes`. The rest is still drained, so the
 * connection stays usable for the SDK's next call.
 */
export async function readBodyUpTo(
  request: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= maxBytes) chunks.push(buffer);
  }
  return size > maxBytes ? null : Buffer.concat(chunks);
}
