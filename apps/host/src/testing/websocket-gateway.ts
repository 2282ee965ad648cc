import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** One Server-Sent Event as the host's stream sends it. */
interface StreamedEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads `body` as Server-Sent Events, calling `onEvent` for each (comments are skipped). */
async function readEvents(
  body: AsyncIterable<Uint8Array>,
  onEvent: (event: StreamedEvent) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) onEvent({ event, data: data.join('\n') });
      boundary = buffer.indexOf('\n\n');
    }
  }
}

/** Refuses an upgrade with `status`, as API Gateway does when `$connect` answers an error. */
function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${String(status)} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
  );
}

/**
 * A stand-in for the realtime stack's API Gateway WebSocket API in front of a local host, for
 * browser tests: a connection to `ws://…/?projectId=<id>&ticket=<stream ticket>` opens the
 * host's SSE stream of that project with the ticket, without Last-Event-ID (nothing is
 * replayed, as API Gateway replays nothing), and is accepted once that stream is live; then
 * each event's `data` (its envelope) goes to the socket as one text message, and `stream.end`
 * as `{"type":"stream.end","reason":…}` just before the socket is closed. A refused stream
 * (a bad ticket, not a member) refuses the upgrade with the host's status, and a handshake
 * with Last-Event-ID is refused with 400, as `$connect` refuses it.
 *
 * Its network can be cut: every socket is dropped (no close frame, as when Wi-Fi goes) and new
 * connections are refused until it is restored.
 */
export class TestWebSocketGateway {
  private readonly sockets = new Set<WebSocket>();
  private readonly streams = new Set<AbortController>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private down = false;
  /** Connections accepted so far (reconnects included). */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    private readonly hostUrl: string,
  ) {}

  /** Starts a gateway for the host at `hostUrl` on a free port of 127.0.0.1. */
  static async start(hostUrl: string): Promise<TestWebSocketGateway> {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'content-length': '0' }).end();
    });
    const gateway = new TestWebSocketGateway(server, hostUrl);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      void gateway.connect(req, socket, head);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gateway;
  }

  /** The stage URL the board's `liveUrl` names (`ws://127.0.0.1:<port>`, no trailing slash). */
  get url(): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return `ws://127.0.0.1:${String(port)}`;
  }

  /** A function: TypeScript would keep the field narrowed across the awaits. */
  private isCut(): boolean {
    return this.down;
  }

  private async connect(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.down) {
      socket.destroy();
      return;
    }
    const query = new URL(req.url ?? '/', 'ws://gateway').searchParams;
    const projectId = query.get('projectId') ?? '';
    const ticket = query.get('ticket') ?? '';
    if (req.headers['last-event-id'] !== undefined) {
      refuse(socket, 400, 'Bad Request');
      return;
    }
    const stream = new AbortController();
    this.streams.add(stream);
    let response: Response;
    try {
      response = await fetch(
        `${this.hostUrl}/projects/${encodeURIComponent(projectId)}/stream?ticket=${encodeURIComponent(ticket)}`,
        { headers: { accept: 'text/event-stream' }, signal: stream.signal },
      );
    } catch {
      this.streams.delete(stream);
      socket.destroy();
      return;
    }
    if (response.status !== 200 || response.body === null || this.isCut()) {
      stream.abort();
      this.streams.delete(stream);
      if (this.isCut()) socket.destroy();
      else refuse(socket, response.status, response.statusText);
      return;
    }
    let client: WebSocket | null = null;
    const early: StreamedEvent[] = [];
    const forward = (event: StreamedEvent): void => {
      if (client === null) return;
      if (event.event === 'stream.end') {
        const { reason } = JSON.parse(event.data) as { reason?: unknown };
        client.send(JSON.stringify({ type: 'stream.end', reason }));
        client.close(1000);
      } else if (event.event !== 'stream.open') client.send(event.data);
    };
    const accept = (): void => {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        client = ws;
        this.accepted += 1;
        this.sockets.add(ws);
        ws.on('error', () => undefined);
        ws.on('close', () => {
          this.sockets.delete(ws);
          stream.abort();
          this.streams.delete(stream);
        });
        for (const event of early.splice(0)) forward(event);
      });
    };
    let live = false;
    void readEvents(response.body as unknown as AsyncIterable<Uint8Array>, (event) => {
      // Accepted once the host's stream is live: every later commit reaches the socket, as
      // every commit after `$connect` returns reaches an API Gateway connection.
      if (!live && event.event === 'stream.open') {
        live = true;
        accept();
        return;
      }
      if (client === null) early.push(event);
      else forward(event);
    })
      .catch(() => undefined)
      .finally(() => {
        this.streams.delete(stream);
        if (client === null) socket.destroy();
        else client.close(1001);
      });
  }

  /** Drops every socket and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const ws of this.sockets) ws.terminate();
    for (const stream of this.streams) stream.abort();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    this.wss.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
