import { type PendingEvent, toEnvelope } from '@taskflow/platform-events';
import type {
  ChangeNotifications,
  MembershipCheck,
  ProjectStreamReader,
  StreamedEvent,
} from './ports';
import { ProjectEventHub, type StreamEndReason, type StreamSubscriber } from './project-event-hub';
import { type StreamCursor, compareCursors, formatCursor, parseCursor } from './stream-cursor';

const PROJECT = '01900000-0000-7000-8000-000000000001';
const ALICE = '01900000-0000-7000-8000-0000000000a1';
const BOB = '01900000-0000-7000-8000-0000000000b0';

/** A project log where each event belongs to a transaction the test commits when it likes. */
class FakeLog implements ProjectStreamReader, ChangeNotifications, MembershipCheck {
  private readonly rows: { event: StreamedEvent; committed: boolean }[] = [];
  private readonly listeners = new Set<(projectId: string | null) => void>();
  private nextId = 1;
  readonly members = new Set([ALICE, BOB]);

  write(
    tx: number,
    type: 'task.deleted' | 'project.member_removed' = 'task.deleted',
    userId = BOB,
  ): StreamedEvent {
    const id = `01900000-0000-7000-8000-${String(this.nextId++).padStart(12, '0')}`;
    const common = {
      schemaVersion: 1,
      aggregateVersion: 2,
      projectId: PROJECT,
      actor: ALICE,
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    const pending: PendingEvent =
      type === 'task.deleted'
        ? { ...common, type, data: { deletedAt: common.occurredAt }, aggregateId: id }
        : { ...common, type, data: { userId, role: 'editor' }, aggregateId: PROJECT };
    const envelope = toEnvelope(pending, id, null);
    const event = { cursor: { tx: BigInt(tx), id }, envelope };
    this.rows.push({ event, committed: false });
    return event;
  }

  commit(tx: number): void {
    this.commitUnannounced(tx);
    for (const listener of this.listeners) listener(PROJECT);
  }

  /** Commits without any wake-up reaching the hub (lost, or sent by nobody). */
  commitUnannounced(tx: number): void {
    for (const row of this.rows) if (row.event.cursor.tx === BigInt(tx)) row.committed = true;
  }

  subscribe(listener: (projectId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isMember(_projectId: string, userId: string): Promise<boolean> {
    return Promise.resolve(this.members.has(userId));
  }

  head(): Promise<StreamCursor | null> {
    const stable = this.stable();
    return Promise.resolve(stable[stable.length - 1]?.cursor ?? null);
  }

  after(
    _projectId: string,
    cursor: StreamCursor | null,
    limit: number,
    options: { readonly evenIfHeldBack?: boolean } = {},
  ): Promise<{ events: StreamedEvent[]; heldBack: boolean }> {
    const later = (e: StreamedEvent) => cursor === null || compareCursors(e.cursor, cursor) > 0;
    const stable = (options.evenIfHeldBack === true ? this.committed() : this.stable()).filter(
      later,
    );
    const pending = this.rows.some((r) => !r.committed && later(r.event));
    return Promise.resolve({
      events: stable.slice(0, limit),
      heldBack: pending || stable.length > limit,
    });
  }

  /** Every committed event, in (tx, id) order. */
  private committed(): StreamedEvent[] {
    return this.rows
      .filter((r) => r.committed)
      .map((r) => r.event)
      .sort((a, b) => compareCursors(a.cursor, b.cursor));
  }

  /** Committed events below the oldest open transaction, in (tx, id) order. */
  private stable(): StreamedEvent[] {
    const open = this.rows.filter((r) => !r.committed).map((r) => r.event.cursor.tx);
    const horizon = open.length === 0 ? null : open.reduce((a, b) => (a < b ? a : b));
    return this.rows
      .filter((r) => r.committed && (horizon === null || r.event.cursor.tx < horizon))
      .map((r) => r.event)
      .sort((a, b) => compareCursors(a.cursor, b.cursor));
  }
}

class Client implements StreamSubscriber {
  readonly received: string[] = [];
  ended: StreamEndReason | null = null;
  constructor(
    readonly userId: string,
    private readonly capacity = Number.POSITIVE_INFINITY,
  ) {}
  /** Every batch the hub handed over, as the envelope ids it held. */
  readonly batches: string[][] = [];
  deliver(events: readonly StreamedEvent[]): boolean {
    const ids = events.map((event) => event.envelope.id);
    this.batches.push(ids);
    this.received.push(...ids);
    return this.received.length < this.capacity;
  }
  end(reason: StreamEndReason): void {
    this.ended = reason;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('ProjectEventHub', () => {
  let log: FakeLog;
  let hub: ProjectEventHub;

  beforeEach(() => {
    log = new FakeLog();
    hub = new ProjectEventHub(log, log, log, {
      heldBackRetryMs: 1,
      safetyPollMs: 10_000,
      readLimit: 3,
    });
    hub.start();
  });

  afterEach(() => {
    hub.stop();
  });

  it('delivers committed events live to every subscriber, once each, in order', async () => {
    const [a, b] = [new Client(ALICE), new Client(BOB)];
    await hub.subscribe(PROJECT, a, null);
    await hub.subscribe(PROJECT, b, null);

    const events = [log.write(10), log.write(11), log.write(12), log.write(13)];
    log.commit(10);
    log.commit(11);
    log.commit(12);
    log.commit(13);
    await settle();

    expect(a.received).toEqual(events.map((e) => e.envelope.id));
    expect(b.received).toEqual(a.received);
  });

  it('asks for the next read before fanning out the current one, so the two overlap', async () => {
    const order: string[] = [];
    class RecordingLog extends FakeLog {
      override after(...args: Parameters<FakeLog['after']>): ReturnType<FakeLog['after']> {
        order.push('read');
        return super.after(...args);
      }
    }
    const recording = new RecordingLog();
    const pipelined = new ProjectEventHub(recording, recording, recording, {
      heldBackRetryMs: 1,
      safetyPollMs: 10_000,
    });
    pipelined.start();
    const client = new Client(ALICE);
    const deliver = client.deliver.bind(client);
    client.deliver = (events) => {
      order.push(`deliver ${events.map((e) => e.cursor.tx.toString()).join(',')}`);
      return deliver(events);
    };
    await pipelined.subscribe(PROJECT, client, null);

    recording.write(50);
    recording.commit(50);
    // Announced while the first read is in flight: that read may not see it.
    recording.write(51);
    recording.commit(51);
    await settle();
    pipelined.stop();

    expect(order).toEqual(['read', 'read', 'deliver 50', 'deliver 51']);
  });

  it('holds back a later transaction until an earlier one commits, so order follows the log', async () => {
    const client = new Client(ALICE);
    await hub.subscribe(PROJECT, client, null);
    const early = log.write(20);
    const late = log.write(21);

    log.commit(21);
    await settle();
    expect(client.received).toEqual([]);
    log.commit(20);
    await settle();

    expect(client.received).toEqual([early.envelope.id, late.envelope.id]);
  });

  it('resuming after a cursor replays the gap from the log, then continues live: no gap, no repeat', async () => {
    const first = log.write(30);
    log.commit(30);
    const missed = [log.write(31), log.write(32), log.write(33), log.write(34)];
    for (const tx of [31, 32, 33, 34]) log.commit(tx);
    const client = new Client(ALICE);

    await hub.subscribe(PROJECT, client, first.cursor);
    const live = log.write(35);
    log.commit(35);
    await settle();

    expect(client.received).toEqual([...missed, live].map((e) => e.envelope.id));
  });

  it('cuts off a client that cannot keep up without slowing the others', async () => {
    const slow = new Client(ALICE, 2);
    const fast = new Client(BOB);
    await hub.subscribe(PROJECT, slow, null);
    await hub.subscribe(PROJECT, fast, null);

    for (let tx = 40; tx < 45; tx += 1) {
      log.write(tx);
      log.commit(tx);
    }
    await settle();

    expect(slow.ended).toBe('slow');
    // Nothing after the batch it could not keep up with.
    const beforeLast = slow.received.length - (slow.batches.at(-1)?.length ?? 0);
    expect(beforeLast).toBeLessThan(2);
    expect(slow.received.length).toBeGreaterThanOrEqual(2);
    expect(fast.received).toHaveLength(5);
    expect(fast.received.slice(0, slow.received.length)).toEqual(slow.received);
    expect(fast.ended).toBeNull();
  });

  it('hands every up-to-date subscriber the same array for one read, so it is serialised once', async () => {
    const arrays = new Map<string, (readonly StreamedEvent[])[]>();
    const recording = (userId: string): StreamSubscriber => ({
      userId,
      deliver: (events) => {
        arrays.set(userId, [...(arrays.get(userId) ?? []), events]);
        return true;
      },
      end: () => undefined,
    });
    await hub.subscribe(PROJECT, recording(ALICE), null);
    await hub.subscribe(PROJECT, recording(BOB), null);
    log.write(46);
    log.write(46);

    log.commit(46);
    await settle();

    const [alices, bobs] = [arrays.get(ALICE) ?? [], arrays.get(BOB) ?? []];
    expect(alices).toHaveLength(1);
    expect(alices[0]).toHaveLength(2);
    expect(bobs[0]).toBe(alices[0]);
  });

  it('ends a removed member’s stream after telling them, and keeps the others', async () => {
    const alice = new Client(ALICE);
    const bob = new Client(BOB);
    await hub.subscribe(PROJECT, alice, null);
    await hub.subscribe(PROJECT, bob, null);

    const removal = log.write(50, 'project.member_removed', BOB);
    log.commit(50);
    const after = log.write(51);
    log.commit(51);
    await settle();

    expect(bob.received).toEqual([removal.envelope.id]);
    expect(bob.ended).toBe('revoked');
    expect(alice.received).toEqual([removal.envelope.id, after.envelope.id]);
  });

  it('does not stall behind a transaction that never finishes: delivers past it after maxHoldMs', async () => {
    hub.stop();
    const held: string[] = [];
    hub = new ProjectEventHub(
      log,
      log,
      log,
      { heldBackRetryMs: 1, safetyPollMs: 10_000, readLimit: 3, maxHoldMs: 50 },
      undefined,
      (p) => held.push(p),
    );
    hub.start();
    const client = new Client(ALICE);
    await hub.subscribe(PROJECT, client, null);
    log.write(70); // stays open
    const later = log.write(71);

    log.commit(71);
    await settle();
    expect(client.received).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect(client.received).toEqual([later.envelope.id]);
    expect(held).toContain(PROJECT);
  });

  it('refuses a non-member', async () => {
    log.members.delete(BOB);
    expect(await hub.subscribe(PROJECT, new Client(BOB), null)).toBeNull();
    expect(hub.subscriberCount).toBe(0);
  });

  it('a removal committed while the subscription is being set up still ends the stream', async () => {
    // The removal commits after admission but before the hub has fixed the stream position:
    // whichever side of that position it lands on, the stream must not stay open.
    const removal = log.write(80, 'project.member_removed', BOB);
    const isMember = log.isMember.bind(log);
    log.isMember = async (projectId, userId) => {
      log.commit(80);
      log.members.delete(BOB);
      return isMember(projectId, userId);
    };
    const client = new Client(BOB);
    const unsubscribe = await hub.subscribe(PROJECT, client, null);
    await settle();
    // Either refused outright, or told of the removal and ended: never left following.
    if (unsubscribe === null) expect(client.received).toEqual([]);
    else {
      expect(client.received).toEqual([removal.envelope.id]);
      expect(client.ended).toBe('revoked');
    }
    expect(hub.subscriberCount).toBe(0);
  });

  it('a removal committed after the position is fixed but before the check is delivered', async () => {
    const removal = log.write(81, 'project.member_removed', BOB);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    log.isMember = async () => {
      await gate;
      return true; // the check ran on a snapshot taken before the removal committed
    };
    const client = new Client(BOB);
    const subscribing = hub.subscribe(PROJECT, client, null);
    await settle();
    log.commit(81);
    await settle();
    // Not yet admitted: nothing delivered, the event is buffered.
    expect(client.received).toEqual([]);
    release();
    expect(await subscribing).not.toBeNull();
    expect(client.received).toEqual([removal.envelope.id]);
    expect(client.ended).toBe('revoked');
    expect(hub.subscriberCount).toBe(0);
  });

  it('delivers nothing to someone whose membership check fails, even what committed meanwhile', async () => {
    log.write(82);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    log.isMember = async () => {
      await gate;
      return false;
    };
    const client = new Client(BOB);
    const subscribing = hub.subscribe(PROJECT, client, null);
    await settle();
    log.commit(82);
    await settle();
    release();
    expect(await subscribing).toBeNull();
    expect(client.received).toEqual([]);
    expect(hub.subscriberCount).toBe(0);
  });

  it('stops delivering after unsubscribe', async () => {
    const client = new Client(ALICE);
    const unsubscribe = await hub.subscribe(PROJECT, client, null);
    unsubscribe?.();
    log.write(60);
    log.commit(60);
    await settle();
    expect(client.received).toEqual([]);
    expect(hub.subscriberCount).toBe(0);
  });
});

/** A log whose reads wait until the test opens them (or fails them), to act while one is in flight. */
class GatedLog extends FakeLog {
  private readonly gates: ((fail: Error | null) => void)[] = [];
  reads = 0;

  override after(...args: Parameters<FakeLog['after']>): ReturnType<FakeLog['after']> {
    this.reads += 1;
    const result = super.after(...args);
    return new Promise((resolve, reject) => {
      this.gates.push((fail) => {
        if (fail === null) resolve(result);
        else reject(fail);
      });
    });
  }

  /** Lets every read in flight answer (or fail with `fail`). */
  open(fail: Error | null = null): void {
    for (const gate of this.gates.splice(0)) gate(fail);
  }
}

describe('ProjectEventHub with a read in flight', () => {
  const start = (log: GatedLog, onError: (error: unknown) => void = () => undefined) => {
    const hub = new ProjectEventHub(
      log,
      log,
      log,
      { heldBackRetryMs: 1, safetyPollMs: 10_000 },
      onError,
    );
    hub.start();
    return hub;
  };

  it('delivers nothing to the streams stop() ended', async () => {
    // Prepare
    const log = new GatedLog();
    const hub = start(log);
    const client = new Client(ALICE);
    await hub.subscribe(PROJECT, client, null);
    log.write(60);
    log.commit(60);

    // Act
    hub.stop();
    log.open();
    await settle();

    // Assess
    expect(client.ended).toBe('shutdown');
    expect(client.received).toEqual([]);
  });

  it('stops re-reading a held-back log once its last subscriber has left', async () => {
    // Prepare
    const log = new GatedLog();
    const hub = start(log);
    const unsubscribe = await hub.subscribe(PROJECT, new Client(ALICE), null);
    log.write(70); // stays open: everything after it is held back
    log.write(71);
    log.commit(71);

    // Act
    unsubscribe?.();
    log.open();
    await settle();
    log.open();
    await settle();

    // Assess
    expect(log.reads).toBe(1);
    hub.stop();
  });

  it('drops a subscriber whose transport throws, keeps serving the others, and leaves nothing unhandled', async () => {
    // Prepare
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const log = new GatedLog();
    const errors: unknown[] = [];
    const hub = start(log, (error) => errors.push(error));
    let ended: string | null = null;
    await hub.subscribe(
      PROJECT,
      {
        userId: ALICE,
        deliver: () => {
          throw new Error('transport broke');
        },
        end: (reason) => {
          ended = reason;
        },
      },
      null,
    );
    const healthy = new Client(BOB);
    await hub.subscribe(PROJECT, healthy, null);
    const first = log.write(80);
    log.commit(80);
    const second = log.write(81);
    log.commit(81); // asks for a second read while the first is in flight

    // Act
    log.open(); // the first read answers; the second goes out before the fan-out
    await settle();
    log.open();
    await settle();
    process.off('unhandledRejection', onUnhandled);

    // Assess
    expect(errors).toEqual([new Error('transport broke')]);
    expect(ended).toBe('slow');
    expect(healthy.received).toEqual([first.envelope.id, second.envelope.id]);
    expect(unhandled).toEqual([]);
    hub.stop();
  });

  it('ends a subscriber whose channel was still opening when the hub stopped', async () => {
    // Prepare
    let release: () => void = () => undefined;
    class SlowHeadLog extends GatedLog {
      override head(): Promise<StreamCursor | null> {
        return new Promise((resolve) => {
          release = () => resolve(null);
        });
      }
    }
    const log = new SlowHeadLog();
    const hub = start(log);
    const client = new Client(ALICE);
    const subscribing = hub.subscribe(PROJECT, client, null);

    // Act
    hub.stop();
    release();
    const unsubscribe = await subscribing;

    // Assess
    expect(unsubscribe).toBeNull();
    expect(client.ended).toBe('shutdown');
    expect(hub.subscriberCount).toBe(0);
  });
});

describe('stream cursors', () => {
  it('round-trip through the SSE event id and order by transaction, then id', () => {
    const a = { tx: 9n, id: '01900000-0000-7000-8000-00000000000b' };
    const b = { tx: 10n, id: '01900000-0000-7000-8000-00000000000a' };
    expect(parseCursor(formatCursor(a))).toEqual(a);
    expect(compareCursors(a, b)).toBeLessThan(0);
  });

  it.each(['', 'abc', '12', '12.not-a-uuid', '-1.01900000-0000-7000-8000-00000000000a'])(
    'rejects %p',
    (text) => {
      expect(() => parseCursor(text)).toThrow(/Last-Event-ID/);
    },
  );
});

describe('ProjectEventHub without a wake-up', () => {
  it('delivers a commit nobody announced within its safety poll', async () => {
    const log = new FakeLog();
    const hub = new ProjectEventHub(log, log, log, { heldBackRetryMs: 1, safetyPollMs: 200 });
    hub.start();
    try {
      const client = new Client(ALICE);
      await hub.subscribe(PROJECT, client, null);
      const event = log.write(1);
      log.commitUnannounced(1);

      await settle();
      expect(client.received).toEqual([]);
      const startedAt = Date.now();
      while (client.received.length === 0 && Date.now() - startedAt < 2_000) await settle();
      expect(client.received).toEqual([event.envelope.id]);
    } finally {
      hub.stop();
    }
  });
});
