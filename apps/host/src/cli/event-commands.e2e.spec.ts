import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Persistence, openPersistence } from '@taskflow/app-composition';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { FakeEventBridge, type TestDatabase, createTestDatabase } from '@taskflow/platform-testing';
import { runCommand } from '../testing/run-command';
import { SEED_ENTRIES } from '../testing/seed-example';
import { migrate } from '@taskflow/app-composition/migrate';

describe('npm run events:put and npm run dlq', () => {
  let database: TestDatabase;
  let persistence: Persistence;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('cli_events');
    persistence = await openPersistence(
      {
        url: database.url,
        poolSize: 2,
        statementTimeoutMs: 10_000,
        connectTimeoutMs: 10_000,
        queryTimeoutMs: 0,
        ssl: 'disable',
        applicationName: 'cli-e2e',
        dialect: 'postgres',
      },
      uuidV7Generator,
    );
    await migrate(persistence);
    dataDir = await mkdtemp(join(tmpdir(), 'taskflow-cli-'));
    env = { DATABASE_URL: database.url, TASKFLOW_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await persistence.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes the seed example unchanged and creates the task through the local bus', async () => {
    // Act
    const result = await runCommand('events-put.command.ts', ['--entries', SEED_ENTRIES], env);

    // Assess
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      FailedEntryCount: number;
      Entries: { EventId: string }[];
    };
    expect(answer).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(result.stderr).toContain(
      `processed ${answer.Entries[0]?.EventId ?? '?'}: task.created task`,
    );
    const { rows } = await persistence.db.query<{
      priority: string;
      creator: string;
      assignee: string;
    }>({
      text: `SELECT t.priority, c.email AS creator, a.email AS assignee FROM tasks t
             JOIN users c ON c.id = t.created_by JOIN users a ON a.id = t.assignee_id WHERE t.title = 'Test Task'`,
      values: [],
    });
    expect(rows).toEqual([
      { priority: 'high', creator: 'manager@example.com', assignee: 'user@example.com' },
    ]);
  });

  it('dead-letters an invalid event, lists it, and keeps it when a replay still fails', async () => {
    // Prepare
    const entries = JSON.stringify([
      {
        Source: 'task.management',
        DetailType: 'Task Completed',
        Detail: JSON.stringify({
          eventType: 'task.completed',
          taskId: '0190a5f2-7c3e-7abc-8def-00000000dead',
        }),
      },
    ]);

    // Act
    const put = await runCommand('events-put.command.ts', [`--entries=${entries}`], env);
    const list = await runCommand('dlq.command.ts', ['list'], env);
    const letterId = list.stdout.split('\n')[1]?.split('\t')[0] ?? '';
    const replay = await runCommand('dlq.command.ts', ['replay', letterId], env);
    const again = await runCommand('dlq.command.ts', ['list'], env);

    // Assess
    expect(put.code).toBe(1);
    expect(put.stderr).toMatch(/dead-lettered .* after 1 attempt\(s\): TASK_NOT_FOUND/);
    expect(list.stdout).toMatch(/^ID\tFAILED AT\tDETAIL TYPE\tTARGET\tATTEMPTS\tREASON\n/);
    expect(list.stdout).toContain(
      '\tTask Completed\tprocessor\t1\tTASK_NOT_FOUND: task 0190a5f2-7c3e-7abc-8def-00000000dead not found',
    );
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(`still refused ${letterId}: TASK_NOT_FOUND`);
    expect(again.stdout).toContain(letterId);
  });

  it.each([
    { case: 'no --entries', args: [], message: /--entries is required/ },
    { case: 'entries that are not JSON', args: ['--entries', '[{'], message: /not JSON/ },
    {
      case: 'an unknown member',
      args: ['--entries', '[{"Source":"a","Detial":"{}"}]'],
      message: /Unrecognized key: "Detial"/,
    },
  ])('refuses $case with its usage', async ({ args, message }) => {
    // Act
    const result = await runCommand('events-put.command.ts', args, env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('usage: npm run events:put');
  });

  it('sends the entries with PutEvents when a bus and AWS credentials are configured', async () => {
    // Prepare
    const fake = await FakeEventBridge.start();
    try {
      // Act
      const result = await runCommand('events-put.command.ts', ['--entries', SEED_ENTRIES], {
        EVENT_BUS_NAME: 'taskflow-bus',
        EVENTBRIDGE_ENDPOINT: fake.url,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      });

      // Assess
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        FailedEntryCount: 0,
        Entries: [{ EventId: fake.received[0]?.eventId }],
      });
      expect(fake.received.map((r) => r.entry)).toEqual([
        expect.objectContaining({
          Source: 'task.management',
          DetailType: 'Task Created',
          EventBusName: 'taskflow-bus',
          Detail: expect.stringContaining('"title":"Test Task"'),
        }),
      ]);
    } finally {
      await fake.stop();
    }
  });

  it('prints its usage for an unknown dlq verb', async () => {
    // Act
    const result = await runCommand('dlq.command.ts', ['purge'], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run dlq -- list');
  });

  describe('npm run events:replay', () => {
    it.each([
      ['no --since', [] as string[], '--since is required'],
      ['a bad time', ['--since', 'yesterday'], '--since needs an ISO date-time'],
      [
        'an unknown type',
        ['--since', '2020-01-01T00:00:00Z', '--type', 'task.exploded'],
        '--type must be one of',
      ],
    ])('refuses %s with the usage (exit 2)', async (_case, args, message) => {
      const result = await runCommand('events-replay.command.ts', args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('usage: npm run events:replay');
    });

    it('republishes the log since a time, of the given types, with their ids', async () => {
      // Prepare: what the log holds of that type since the start of the tests
      const { rows } = await persistence.db.query<{ n: number }>({
        text: "SELECT count(*) AS n FROM outbox WHERE type = 'task.created' AND occurred_at >= '2000-01-01'",
        values: [],
      });
      const expected = rows[0]?.n ?? 0;

      // Act
      const dry = await runCommand(
        'events-replay.command.ts',
        ['--since', '2000-01-01T00:00:00Z', '--type', 'task.created', '--dry-run'],
        env,
      );
      const real = await runCommand(
        'events-replay.command.ts',
        ['--since', '2000-01-01T00:00:00Z', '--type', 'task.created'],
        env,
      );
      const future = await runCommand(
        'events-replay.command.ts',
        ['--since', '2999-01-01T00:00:00Z'],
        env,
      );

      // Assess
      expect(expected).toBeGreaterThan(0);
      expect(dry.stdout).toContain(`would replay ${expected} events`);
      expect(real.code).toBe(0);
      expect(real.stdout).toContain(`replayed ${expected} events`);
      expect(future.stdout).toContain('replayed 0 events');
    });
  });
});
