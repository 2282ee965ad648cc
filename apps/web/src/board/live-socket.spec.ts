import type { StreamEnvelope } from './board-state';
import type { LiveStatus } from './live-stream';
import {
  DEFAULT_BACKOFF,
  type SocketLike,
  type StreamTicket,
  connectUrl,
  followProjectOverWebSocket,
  reconnectDelay,
} from './live-socket';

const STAGE = 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const PROJECT = '0f6c1a2e-8a43-4f3e-9a51-2b7c64a3d001';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/** A WebSocket the test drives: it opens, speaks and closes when told. */
class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedByClient: number | undefined;

  constructor(readonly url: string) {}

  get ticket(): string | null {
    return new URL(this.url).searchParams.get('ticket');
  }

  open(): void {
    this.onopen?.({} as Event);
  }

  send(message: unknown): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.({ data } as MessageEvent);
  }

  /** The server or the network closes it (before it opened: the upgrade was refused). */
  drop(): void {
    this.onerror?.({} as Event);
    this.onclose?.({ code: 1006 } as CloseEvent);
  }

  close(code?: number): void {
    this.closedByClient = code ?? 1005;
  }
}

/** An event envelope of the project, as the broadcaster posts it. */
const envelope = (version: number): StreamEnvelope => ({
  id: `evt-${String(version)}`,
  type: 'task.updated',
  aggregateId: 'task-1',
  aggregateVersion: version,
  data: { task: { id: 'task-1', version } },
});

/** The API's refusal of a ticket to someone no longer a member. */
class NotMember extends Error {}

/** A follower over fake sockets, with tickets numbered in the order they are issued. */
function follow(options: { ticketLifeMs?: number; ticketFails?: () => Error | undefined } = {}) {
  const sockets: FakeSocket[] = [];
  const statuses: LiveStatus[] = [];
  const events: StreamEnvelope[] = [];
  let issued = 0;
  const ticket = (): Promise<StreamTicket> => {
    const failure = options.ticketFails?.();
    if (failure !== undefined) return Promise.reject(failure);
    issued += 1;
    return Promise.resolve({
      ticket: `ticket-${String(issued)}`,
      expiresAt: new Date(Date.now() + (options.ticketLifeMs ?? 3_600_000)).toISOString(),
    });
  };
  const stop = followProjectOverWebSocket(
    {
      liveUrl: STAGE,
      projectId: PROJECT,
      ticket,
      isFinal: (failure) => failure instanceof NotMember,
    },
    (event) => events.push(event),
    (status) => statuses.push(status),
    {
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      random: () => 1,
    },
  );
  const last = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (socket === undefined) throw new Error('no socket opened yet');
    return socket;
  };
  return { sockets, statuses, events, stop, last, issued: () => issued };
}

describe('following a project over WebSocket', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('connects to the stage with the project and a ticket, and passes each event on', async () => {
    // Prepare
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);

    // Act
    f.last().open();
    f.last().send(envelope(2));
    f.last().send({ message: 'Forbidden', connectionId: 'x', requestId: 'y' });
    f.last().send('not json');
    f.last().send(envelope(3));

    // Assess
    expect(f.last().url).toBe(connectUrl(STAGE, PROJECT, 'ticket-1'));
    expect(new URL(f.last().url).searchParams.get('projectId')).toBe(PROJECT);
    expect(f.statuses).toEqual(['connecting', 'live']);
    expect(f.events.map((e) => e.aggregateVersion)).toEqual([2, 3]);
  });

  it('reconnects soon after the server closes an open connection, with the same ticket', async () => {
    // Prepare: open, then API Gateway's idle cut (or its 2 h limit) closes it.
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();
    f.last().drop();
    expect(f.statuses.at(-1)).toBe('offline');

    // Act
    await jest.advanceTimersByTimeAsync(DEFAULT_BACKOFF.initialMs);
    f.last().open();

    // Assess: a second `live`, the cue for the board to read everything again.
    expect(f.sockets).toHaveLength(2);
    expect(f.last().ticket).toBe('ticket-1');
    expect(f.issued()).toBe(1);
    expect(f.statuses).toEqual(['connecting', 'live', 'offline', 'live']);
  });

  it('asks for a fresh ticket after a refused connection, and backs off while refused', async () => {
    // Prepare
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();
    f.last().drop();

    // Act: three refusals in a row (closed before they opened), then success.
    const waits: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const before = f.sockets.length;
      const start = Date.now();
      while (f.sockets.length === before) await jest.advanceTimersByTimeAsync(50);
      waits.push(Date.now() - start);
      f.last().drop();
    }
    await jest.advanceTimersByTimeAsync(DEFAULT_BACKOFF.maxMs);
    f.last().open();

    // Assess
    expect(waits).toEqual([500, 1_000, 2_000]);
    expect(f.sockets.map((s) => s.ticket)).toEqual([
      'ticket-1',
      'ticket-1',
      'ticket-2',
      'ticket-3',
      'ticket-4',
    ]);
    expect(f.statuses.at(-1)).toBe('live');
  });

  it('asks for a fresh ticket when the one it holds is about to expire', async () => {
    // Prepare: tickets that live one minute.
    const f = follow({ ticketLifeMs: 60_000 });
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();

    // Act: 45 s later the connection drops; the ticket has 15 s left.
    await jest.advanceTimersByTimeAsync(45_000);
    f.last().drop();
    await jest.advanceTimersByTimeAsync(DEFAULT_BACKOFF.initialMs);

    // Assess
    expect(f.sockets.map((s) => s.ticket)).toEqual(['ticket-1', 'ticket-2']);
  });

  it('ends for good on stream.end of a revoked member, and closes the socket', async () => {
    // Prepare
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();

    // Act
    f.last().send(envelope(5));
    f.last().send({ type: 'stream.end', reason: 'revoked' });
    f.last().drop();
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(f.statuses).toEqual(['connecting', 'live', 'ended']);
    expect(f.sockets).toHaveLength(1);
    expect(f.last().closedByClient).toBe(1000);
    expect(f.events).toHaveLength(1);
  });

  it.each(['slow', 'shutdown'])(
    'reconnects after stream.end of a %s stream and the close that follows',
    async (reason) => {
      // Prepare
      const f = follow();
      await jest.advanceTimersByTimeAsync(0);
      f.last().open();

      // Act
      f.last().send({ type: 'stream.end', reason });
      f.last().drop();
      await jest.advanceTimersByTimeAsync(DEFAULT_BACKOFF.initialMs);
      f.last().open();

      // Assess
      expect(f.sockets).toHaveLength(2);
      expect(f.statuses).toEqual(['connecting', 'live', 'offline', 'live']);
    },
  );

  it('ends when the ticket is refused for good, and retries when the API is out of reach', async () => {
    // Prepare: the first ticket request fails on the network, the second says no.
    const failures: Error[] = [new TypeError('Failed to fetch'), new NotMember('404')];
    const f = follow({ ticketFails: () => failures.shift() });

    // Act
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(DEFAULT_BACKOFF.initialMs);
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(f.statuses).toEqual(['connecting', 'offline', 'ended']);
    expect(f.sockets).toHaveLength(0);
  });

  it('stops: the socket is closed and nothing reconnects', async () => {
    // Prepare
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();

    // Act
    f.stop();
    f.last().drop();
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(f.last().closedByClient).toBe(1000);
    expect(f.sockets).toHaveLength(1);
    expect(f.statuses).toEqual(['connecting', 'live']);
  });

  it('stops while a reconnect is waiting: no new socket', async () => {
    // Prepare
    const f = follow();
    await jest.advanceTimersByTimeAsync(0);
    f.last().open();
    f.last().drop();

    // Act
    f.stop();
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(f.sockets).toHaveLength(1);
  });
});

describe('the reconnect delay', () => {
  it.each<[number, number, number]>([
    [0, 0, 250],
    [0, 1, 500],
    [1, 1, 1_000],
    [3, 0.5, 3_000],
    [5, 1, 15_000],
    [20, 1, 15_000],
  ])('attempt %i with jitter %f waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelay(attempt, DEFAULT_BACKOFF, random)).toBe(expected);
  });
});
