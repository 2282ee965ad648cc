import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { PgChangeNotifications } from './pg-change-notifications';
import { sleep, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';

/** A process's notifications, with what its subscriber heard and the statements it sent. */
interface Process {
  readonly notifications: PgChangeNotifications;
  readonly heard: (string | null)[];
  readonly errors: unknown[];
  /** The wake-up statements its connections ran. */
  wakeStatements(): number;
  /** Its current LISTEN connection. */
  client(): Client;
}

/** Retries `assertion` until it holds; past `timeoutMs`, fails with its last failure. */
async function eventually(assertion: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

describe('PgChangeNotifications', () => {
  const store = useTestDatabase('pp_change_notifications', openPlatformStores);
  const started: PgChangeNotifications[] = [];

  const startProcess = async (wakeIntervalMs?: number): Promise<Process> => {
    const clients: Client[] = [];
    const calls: (readonly unknown[])[][] = [];
    const errors: unknown[] = [];
    const notifications = new PgChangeNotifications(
      async () => {
        const client = await store.db.newClient();
        // Calls through; only counted.
        calls.push(jest.spyOn(client, 'query').mock.calls);
        clients.push(client);
        return client;
      },
      (error) => errors.push(error),
      wakeIntervalMs === undefined ? {} : { wakeIntervalMs },
    );
    const statements = (): number =>
      calls.flat().filter(([query]) => JSON.stringify(query).includes('pg_notify')).length;
    started.push(notifications);
    const heard: (string | null)[] = [];
    notifications.subscribe((projectId) => heard.push(projectId));
    await notifications.ready();
    return {
      notifications,
      heard,
      errors,
      wakeStatements: statements,
      client: () => {
        const client = clients.at(-1);
        if (client === undefined) throw new Error('never connected');
        return client;
      },
    };
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.close()));
  });

  it('wakes its own subscribers at once and another process through NOTIFY, without an echo', async () => {
    const writer = await startProcess();
    const other = await startProcess();
    const [p1, p2] = [randomUUID(), randomUUID()];

    writer.notifications.wake([p1, p1, p2]);

    expect(writer.heard).toEqual([p1, p2]);
    await eventually(() => expect(other.heard).toEqual([p1, p2]));
    // Its own notifications came back on its LISTEN connection too: ignored.
    await sleep(100);
    expect(writer.heard).toEqual([p1, p2]);
    expect(writer.wakeStatements()).toBe(1);
  });

  it('sends one statement for a burst of commits, and at most one per interval', async () => {
    const writer = await startProcess(1_000);
    const other = await startProcess();
    const burst = Array.from({ length: 100 }, () => randomUUID());

    for (const projectId of burst) writer.notifications.wake([projectId]);
    await eventually(() => expect(new Set(other.heard)).toEqual(new Set(burst)));
    expect(writer.wakeStatements()).toBe(1);

    // Within the interval: held back, then one statement for both.
    const [late1, late2] = [randomUUID(), randomUUID()];
    writer.notifications.wake([late1]);
    writer.notifications.wake([late2]);
    expect(writer.heard.slice(-2)).toEqual([late1, late2]);
    await sleep(200);
    expect(other.heard).not.toContain(late1);
    await eventually(() => expect(other.heard.slice(-2)).toEqual([late1, late2]), 3_000);
    expect(writer.wakeStatements()).toBe(2);
  });

  it('keeps the wake-ups of a lost connection and sends them once it is back', async () => {
    const writer = await startProcess();
    const other = await startProcess();
    const lost = writer.client();
    await store.db.query({
      text: 'SELECT pg_terminate_backend($1)',
      values: [(lost as unknown as { processID: number }).processID],
    });
    await eventually(() => expect(writer.errors.length).toBeGreaterThan(0));

    const projectId = randomUUID();
    writer.notifications.wake([projectId]);

    await eventually(() => expect(other.heard).toContain(projectId), 5_000);
    expect(writer.client()).not.toBe(lost);
    // Its own subscribers heard the wake-up at once, and were told to re-read everything once
    // the connection was back (what others sent meanwhile is lost).
    expect(writer.heard).toContain(projectId);
    await eventually(() => expect(writer.heard).toContain(null));
  });

  it('sends what is still queued when it closes', async () => {
    const writer = await startProcess(60_000);
    const other = await startProcess();
    const [first, queued] = [randomUUID(), randomUUID()];
    writer.notifications.wake([first]);
    await eventually(() => expect(other.heard).toEqual([first]));
    writer.notifications.wake([queued]);

    await writer.notifications.close();

    await eventually(() => expect(other.heard).toEqual([first, queued]));
    expect(writer.wakeStatements()).toBe(2);
  });

  it('reports a failed wake-up statement instead of throwing, and keeps working', async () => {
    const writer = await startProcess();
    const other = await startProcess();
    // The counting wrapper stays underneath: only the next call fails.
    jest.spyOn(writer.client(), 'query').mockImplementationOnce(() => {
      throw new Error('statement failed');
    });

    writer.notifications.wake([randomUUID()]);
    await eventually(() => expect(writer.errors).toEqual([new Error('statement failed')]));

    const next = randomUUID();
    writer.notifications.wake([next]);
    await eventually(() => expect(other.heard).toContain(next));
  });
});
