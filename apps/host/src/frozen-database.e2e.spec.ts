import { FreezingProxy, TEST_DATABASE_URL_ENV } from '@taskflow/platform-testing';
import { createProject } from './testing/fixtures';
import { asRecord, itemsOf } from './testing/responses';
import { type TestHost, type TestResponse, startTestHost } from './testing/test-host';

// The defaults' deadlines (2 s to get a connection, 2 s per statement) and what a loaded test
// machine may add on top of them.
const ANSWER_WITHIN_MS = 2_500;
// Long enough to tell "answered at the deadline" from "hung until the thaw".
const GIVE_UP_MS = 4_000;

interface Timed {
  readonly response: TestResponse | null;
  readonly ms: number;
}

/** The response, or null when none came within {@link GIVE_UP_MS} (a hang, not a test timeout). */
async function timed(request: Promise<TestResponse>): Promise<Timed> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), GIVE_UP_MS);
  });
  try {
    const response = await Promise.race([request, gaveUp]);
    return { response, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function expectUnavailable({ response, ms }: Timed, problem: boolean): void {
  expect(response?.status).toBe(503);
  expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
  expect(response?.headers.get('retry-after')).toBe('1');
  if (problem) {
    expect(response?.headers.get('content-type')).toContain('application/problem+json');
    expect(asRecord(response?.body)['code']).toBe('SERVICE_UNAVAILABLE');
  }
}

describe('when the database freezes (sockets open, nothing answered) and thaws', () => {
  let proxy: FreezingProxy;
  let t: TestHost;

  beforeAll(async () => {
    const server = new URL(process.env[TEST_DATABASE_URL_ENV] ?? '');
    proxy = await FreezingProxy.start({ host: server.hostname, port: Number(server.port) });
    t = await startTestHost('frozen', {}, (url) => proxy.through(url));
  });

  afterAll(async () => {
    proxy.thaw();
    await t.stop();
    await proxy.close();
  });

  it('answers 503 with Retry-After within the deadlines, then serves again without a restart, losing nothing acknowledged', async () => {
    // Prepare: a project and an acknowledged task, read once so the pool holds open connections.
    const { token } = await t.login('frozen@example.com');
    const projectId = await createProject(t, token, 'Frozen');
    const createTask = (title: string, key: string) =>
      t.request('POST', '/tasks', {
        token,
        body: { projectId, title },
        headers: { 'idempotency-key': key },
      });
    const before = await createTask('Acknowledged before', 'before-freeze');
    expect(before.status).toBe(201);
    const taskPath = `/tasks/${String(asRecord(before.body)['id'])}`;
    expect((await t.request('GET', taskPath, { token })).status).toBe(200);

    // Act: freeze, and send a read, a write and a health check at once.
    proxy.freeze();
    let frozen: Timed[];
    try {
      frozen = await Promise.all([
        timed(t.request('GET', taskPath, { token })),
        timed(createTask('Sent during the freeze', 'during-freeze')),
        timed(t.request('GET', '/health')),
      ]);
    } finally {
      proxy.thaw();
    }

    // Assess: each answered 503 + Retry-After at its deadline, not when the database came back.
    const [read, write, health] = frozen;
    expectUnavailable(read ?? { response: null, ms: 0 }, true);
    expectUnavailable(write ?? { response: null, ms: 0 }, true);
    expectUnavailable(health ?? { response: null, ms: 0 }, false);
    expect(asRecord(health?.response?.body)).toMatchObject({ database: 'down' });

    // The same host serves the same requests again, on connections it opens anew.
    expect((await t.request('GET', '/health')).status).toBe(200);
    expect((await t.request('GET', taskPath, { token })).status).toBe(200);
    // The 503'd write is sent again with its key, as a client is told to: created once.
    expect((await createTask('Sent during the freeze', 'during-freeze')).status).toBe(201);
    const titles = itemsOf(
      (await t.request('GET', `/tasks?projectId=${projectId}`, { token })).body,
    ).map((task) => task['title']);
    expect(titles.sort()).toEqual(['Acknowledged before', 'Sent during the freeze']);
  });
});
