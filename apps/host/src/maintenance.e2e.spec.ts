import { scheduleIdempotencyPurge } from './maintenance';
import { type TestHost, startTestHost } from './testing/test-host';

describe('idempotency key purge', () => {
  let t: TestHost;

  beforeAll(async () => {
    t = await startTestHost('purge');
  });

  afterAll(async () => {
    await t.stop();
  });

  it('deletes keys past the 24 h retention and keeps live ones', async () => {
    // Prepare
    const { token, userId } = await t.login('purge@example.com');
    const live = await t.request('POST', '/projects', {
      token,
      body: { name: 'Live' },
      headers: { 'idempotency-key': 'live' },
    });
    await t.request('POST', '/projects', {
      token,
      body: { name: 'Old' },
      headers: { 'idempotency-key': 'old' },
    });
    await t.host.persistence.db.query({
      text: "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE actor_id = $1 AND key = 'old'",
      values: [userId],
    });

    // Act
    const stop = scheduleIdempotencyPurge(t.host, 60_000);
    let keys: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      keys = (
        await t.host.persistence.db.query<{ key: string }>({
          text: 'SELECT key FROM idempotency_keys ORDER BY key',
          values: [],
        })
      ).rows.map((r) => r.key);
      if (!keys.includes('old')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop();

    // Assess
    expect(live.status).toBe(201);
    expect(keys).toEqual(['live']);
  });
});
