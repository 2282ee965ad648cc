import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASKFLOW_EVENTS, createTaskProcessor } from '@taskflow/app-composition';
import { type BusEvent, type DeadLetter, eventRules } from '@taskflow/platform-event-routing';
import { type BusDelivery, LocalEventBus, type PutEventsEntry } from '@taskflow/platform-local-bus';
import type { TaskProcessor } from '@taskflow/tasks-inbound';
import { runTypeScriptCommand } from './harness/child-process';
import { FAULT_JWT_SECRET, type FaultDatabase, openFaultDatabase } from './harness/fault-database';
import { printFigures, since } from './harness/figures';

const GOOD_EVENTS = 24;
const POISON_TITLE = 'Poison: the database refuses this task';
const PRODUCERS = ['lead@example.com', 'dev@example.com'];
/** The local bus's default attempts per event and target (`LocalEventBus`). */
const ATTEMPTS = 3;

/** A `task.created` entry of the seed, as `aws events put-events --entries` sends it. */
function taskCreated(title: string, taskData: Record<string, unknown> = {}): PutEventsEntry {
  return {
    Source: 'task.management',
    DetailType: 'Task Created',
    Detail: JSON.stringify({
      eventType: 'task.created',
      taskData: {
        title,
        priority: 'high',
        created_by: PRODUCERS[0],
        assigned_to: PRODUCERS[1],
        ...taskData,
      },
    }),
  };
}

describe('a poison event on the inbound path', () => {
  let db: FaultDatabase;
  let processor: TaskProcessor;

  beforeAll(async () => {
    db = await openFaultDatabase('fault_poison');
    processor = createTaskProcessor(db.core, db.persistence, {
      defaultProjectName: 'Inbox',
      systemUserEmail: 'system@taskflow.local',
    });
  });

  afterAll(async () => {
    await db.close();
  });

  it('is retried, then dead-lettered with its reason, while the events around it are processed', async () => {
    // Prepare
    const started = performance.now();
    // A rule the database enforces and the code does not know (a newer schema's constraint):
    // this one command fails every time, for a reason that looks transient to the processor.
    await db.rows(
      `ALTER TABLE tasks ADD CONSTRAINT fault_poison CHECK (title <> '${POISON_TITLE}')`,
    );
    // The producers exist already, so that every good event succeeds at its first attempt.
    for (const email of PRODUCERS)
      await db.core.users.ensureByEmail({ email, name: email }, 'fault');
    const retries: (BusDelivery & { reason: string })[] = [];
    const delivered: BusDelivery[] = [];
    // The host's local bus (`createLocalBus`): the deployed rules, the processor as the inbound
    // rule's target, dead letters into the database, the default retry policy.
    const bus = new LocalEventBus({
      rules: eventRules({ source: 'taskflow.tasks' }),
      events: TASKFLOW_EVENTS,
      targets: { processor: (event: BusEvent) => processor.process(event) },
      deadLetters: (letter) => db.persistence.deadLetters.add(letter),
      source: 'taskflow.tasks',
      observer: {
        retrying: (delivery) => retries.push(delivery),
        delivered: (delivery) => delivered.push(delivery),
      },
    });
    const good = Array.from({ length: GOOD_EVENTS }, (_, index) => taskCreated(`good ${index}`));
    const refused = taskCreated(POISON_TITLE);
    // And one no release will ever accept: a misspelt field.
    const malformed = taskCreated('malformed', { priorty: 'high' });
    const entries = [
      ...good.slice(0, 8),
      refused,
      ...good.slice(8, 16),
      malformed,
      ...good.slice(16),
    ];

    // Act
    const eventIds: string[] = [];
    for (let at = 0; at < entries.length; at += 10) {
      const answer = await bus.putEvents(entries.slice(at, at + 10));
      expect(answer.FailedEntryCount).toBe(0);
      for (const result of answer.Entries) if ('EventId' in result) eventIds.push(result.EventId);
    }
    await bus.drain();
    const drainedMs = since(started);

    // Assess
    const refusedId = eventIds[entries.indexOf(refused)];
    const malformedId = eventIds[entries.indexOf(malformed)];
    const letters = await db.persistence.deadLetters.list({ limit: 10, includeReplayed: true });
    const letterOf = (id: string | undefined): DeadLetter | undefined =>
      letters.find((letter) => letter.event.id === id);
    expect(letters).toHaveLength(2);
    // The poison: every attempt made, each retry waited for, then dead-lettered with the reason.
    expect(letterOf(refusedId)).toMatchObject({
      source: 'task.management',
      detailType: 'Task Created',
      target: 'processor',
      attempts: ATTEMPTS,
      reason: expect.stringMatching(/^could not process the event: .*"fault_poison"/),
      replayedAt: null,
    });
    expect(letterOf(refusedId)?.event.detail).toEqual(JSON.parse(refused.Detail ?? ''));
    expect(retries.map((r) => [r.event.id, r.attempt])).toEqual([
      [refusedId, 1],
      [refusedId, 2],
    ]);
    // The malformed event: refused for good at once, its reason naming the field.
    expect(letterOf(malformedId)).toMatchObject({
      attempts: 1,
      reason: expect.stringContaining('detail.taskData'),
    });
    expect(letterOf(malformedId)?.reason).toContain('priorty');
    // The events around them: all processed, each once, none of the poison's effects.
    expect(delivered).toHaveLength(GOOD_EVENTS);
    const titles = await db.rows<{ title: string; n: number }>(
      'SELECT title, count(*) AS n FROM tasks GROUP BY title ORDER BY title',
    );
    expect(titles).toEqual(
      good
        .map((_, index) => ({ title: `good ${index}`, n: 1 }))
        .sort((a, b) => a.title.localeCompare(b.title)),
    );
    const processed = await db.rows<{ event_id: string }>('SELECT event_id FROM processed_events');
    expect(new Set(processed.map((row) => row.event_id))).toEqual(
      new Set(eventIds.filter((id) => id !== refusedId && id !== malformedId)),
    );

    // Once the schema is fixed, `npm run dlq -- replay --all` processes the poison (same event
    // id) and keeps the malformed event, still refused.
    await db.rows('ALTER TABLE tasks DROP CONSTRAINT fault_poison');
    const dataDir = await mkdtemp(join(tmpdir(), 'taskflow-fault-dlq-'));
    const replay = await runTypeScriptCommand(
      join('apps', 'host', 'src', 'cli', 'dlq.command.ts'),
      ['replay', '--all'],
      { DATABASE_URL: db.url, JWT_SECRET: FAULT_JWT_SECRET, TASKFLOW_DATA_DIR: dataDir },
    ).finally(() => rm(dataDir, { recursive: true, force: true }));
    const again = refusedId === undefined ? undefined : letterOf(refusedId)?.event;
    const repeat = again === undefined ? undefined : await processor.process(again);

    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(
      `replayed ${letterOf(refusedId)?.id ?? '?'} (event ${refusedId ?? '?'})`,
    );
    expect(replay.stdout).toContain(`still refused ${letterOf(malformedId)?.id ?? '?'}`);
    expect(repeat).toMatchObject({ eventId: refusedId, duplicate: true });
    expect(await db.count('SELECT count(*) AS n FROM tasks WHERE title = $1', [POISON_TITLE])).toBe(
      1,
    );
    const waiting = await db.persistence.deadLetters.list({ limit: 10, includeReplayed: false });
    expect(waiting.map((letter) => letter.event.id)).toEqual([malformedId]);

    printFigures('poison events on the local bus', {
      'events put': entries.length,
      'good events processed': delivered.length,
      'retries of the poison': retries.length,
      'dead letters': letters.length,
      'put to drained (ms)': drainedMs,
      'total with replay (ms)': since(started),
    });
  });
});
