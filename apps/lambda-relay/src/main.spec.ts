import { composeCore } from '@taskflow/app-composition';
import { DEFAULT_RELAY_OPTIONS } from '@taskflow/platform-relay';
import { eventBusEnv, functionTestbed } from '@taskflow/app-testing';
import {
  invokeBundle,
  lambdaContext,
  scheduledEvent,
  useLambdaWithEventBus,
} from '@taskflow/platform-testing';
import { SAFETY_MARGIN_MS } from './main';

const SECRET = 'lambda-relay-spec-secret-0123456789abcd';

describe('relay Lambda (scheduled outbox sweeper)', () => {
  const lambda = useLambdaWithEventBus(
    (bus) => functionTestbed('relay', { JWT_SECRET: SECRET, ...eventBusEnv(bus) }),
    () => import('./main'),
  );

  /** Writes `count` projects (two events each) with no relay running: the outbox keeps them. */
  const leaveInOutbox = async (count: number): Promise<void> => {
    const core = composeCore(
      lambda.world.persistence,
      {
        signingSecret: 'x'.repeat(32),
        jwtIssuer: 'spec',
        jwtAudience: 'spec',
        jwks: null,
        region: 'eu-west-1',
      },
      { error: () => undefined, warn: () => undefined },
    );
    const owner = await core.users.ensureByEmail({ email: 'relay@example.com', name: 'R' }, null);
    for (let i = 0; i < count; i += 1)
      await core.projects.create({ name: `P${i}` }, { actorId: owner.id, correlationId: null });
  };

  /** Ages every pending event past the fast path's grace, and past any retry delay. */
  const makeDue = async (): Promise<void> => {
    await lambda.world.persistence.db.query({
      text: `UPDATE outbox_pending SET occurred_at = occurred_at - interval '1 minute', next_attempt_at = NULL`,
      values: [],
    });
  };

  const pending = async (): Promise<number> => {
    const { rows } = await lambda.world.persistence.db.query<{ n: number }>({
      text: 'SELECT count(*) AS n FROM outbox_pending',
      values: [],
    });
    return rows[0]?.n ?? -1;
  };

  const outboxIds = async (): Promise<string[]> => {
    const { rows } = await lambda.world.persistence.db.query<{ id: string }>({
      text: `SELECT id::text AS id FROM outbox WHERE payload::json->>'type' <> 'user.created' ORDER BY id`,
      values: [],
    });
    return rows.map((r) => r.id);
  };

  beforeAll(async () => {
    // The owner's user.created event is not what these tests count.
    await leaveInOutbox(0);
    await lambda.world.persistence.db.query({ text: 'DELETE FROM outbox_pending', values: [] });
  });

  afterEach(() => {
    lambda.bus.configure({ failureRate: 0, throttleRate: 0 });
  });

  it('publishes everything the fast paths left, in rounds, and reports no lag after', async () => {
    // One claim and a bit: two rounds, the second short.
    const projects = DEFAULT_RELAY_OPTIONS.claimLimit / 2 + 10;
    await leaveInOutbox(projects);
    await makeDue();
    const before = lambda.bus.received.length;

    const run = await lambda.main.handler(scheduledEvent(), lambdaContext('taskflow-relay'));

    expect(run).toEqual({
      claimed: projects * 2,
      published: projects * 2,
      failed: 0,
      rounds: 2,
      lagMs: 0,
      outOfTime: false,
    });
    expect(await pending()).toBe(0);
    expect(
      lambda.bus.received
        .slice(before)
        .map((e) => (JSON.parse(e.entry.Detail ?? '{}') as { id: string }).id)
        .sort(),
    ).toEqual(await outboxIds());
  });

  it('leaves events the bus refused for a later run, with their backoff, and reports the lag', async () => {
    await leaveInOutbox(20);
    await makeDue();
    lambda.bus.configure({ failureRate: 0.5, seed: 7 });

    const first = await lambda.main.handler(scheduledEvent(), lambdaContext('taskflow-relay'));
    expect(first.failed).toBeGreaterThan(0);
    expect(first.published + first.failed).toBe(40);
    expect(first.lagMs).toBeGreaterThan(50_000);
    expect(await pending()).toBe(first.failed);

    lambda.bus.configure({ failureRate: 0 });
    await makeDue();
    const second = await lambda.main.handler(scheduledEvent(), lambdaContext('taskflow-relay'));
    expect(second).toMatchObject({ published: first.failed, failed: 0, lagMs: 0 });
    expect(await pending()).toBe(0);
  });

  it('stops when the function is about to time out, and the next run goes on', async () => {
    await leaveInOutbox(5);
    await makeDue();

    const starved = await lambda.main.handler(
      scheduledEvent(),
      lambdaContext('taskflow-relay', { timeoutMs: SAFETY_MARGIN_MS - 1 }),
    );
    expect(starved).toMatchObject({ claimed: 0, rounds: 0, outOfTime: true });
    expect(starved.lagMs).toBeGreaterThan(0);
    expect(await pending()).toBe(10);

    const next = await lambda.main.handler(scheduledEvent(), lambdaContext('taskflow-relay'));
    expect(next).toMatchObject({ published: 10, outOfTime: false, lagMs: 0 });
  });

  it('the built bundle sweeps in a fresh process and emits EventsPublished and OutboxLag', async () => {
    await leaveInOutbox(3);
    await makeDue();

    const run = await invokeBundle(lambda.world.bundle, [scheduledEvent()], lambda.world.env, {
      functionName: 'taskflow-relay',
    });

    expect(run.invocations).toEqual([
      expect.objectContaining({ ok: true, value: expect.objectContaining({ published: 6 }) }),
    ]);
    const metrics = run.logs.filter((l) => '_aws' in l);
    expect(metrics.some((m) => m['EventsPublished'] === 6)).toBe(true);
    expect(metrics.some((m) => m['OutboxLag'] === 0)).toBe(true);
    expect(run.logs.find((l) => l['message'] === 'outbox swept')).toMatchObject({
      service: 'taskflow-relay',
      published: 6,
    });
  });
});
