import { randomUUID } from 'node:crypto';
import type { BusEvent } from '@taskflow/platform-event-routing';
import { seededRandom } from '@taskflow/platform-testing';
import { type FaultDatabase, openFaultDatabase } from './harness/fault-database';
import { printFigures, since } from './harness/figures';
import { ProcessorProcess, type WorkerAnswer } from './harness/processor-process';
import { waitUntil } from './harness/wait';

/** Inbound commands, each delivered at least once. */
const COMMANDS = 800;
const CONCURRENCY = 8;
/** The processor is killed once this many answers have come back. */
const KILL_AFTER = COMMANDS / 2;
/** Share of commands EventBridge delivers twice at once (before the crash). */
const TWIN_SHARE = 0.2;
/** Share of answered commands delivered again after the restart (a retry after a timeout). */
const LATE_REPEAT_SHARE = 0.25;

/** The seed's `task.created` command as EventBridge hands it to its target. */
function taskCreated(index: number): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Task Created',
    source: 'task.management',
    account: '123456789012',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventType: 'task.created',
      taskData: {
        title: `inbound task ${index}`,
        description: 'sent by a producer, at least once',
        priority: ['low', 'medium', 'high', 'urgent'][index % 4],
        assigned_to: `assignee${index % 7}@example.com`,
        created_by: `producer${index % 3}@example.com`,
      },
    },
  };
}

describe('kill -9 of the task processor while inbound commands are delivered at least once', () => {
  let db: FaultDatabase;
  const workers: ProcessorProcess[] = [];

  beforeAll(async () => {
    db = await openFaultDatabase('fault_processor_crash');
  });

  afterAll(async () => {
    for (const worker of workers) await worker.kill9();
    await db.close();
  });

  it('every command takes effect exactly once, however often and whenever it is delivered', async () => {
    // Prepare
    const started = performance.now();
    const random = seededRandom(20_251_124);
    const events = Array.from({ length: COMMANDS }, (_, index) => taskCreated(index));
    const answers = new Map<string, WorkerAnswer[]>();
    const delivered = new Map<string, number>();
    let answered = 0;
    let failures = 0;
    const refused: string[] = [];
    const record = (answer: WorkerAnswer): void => {
      answers.set(answer.id, [...(answers.get(answer.id) ?? []), answer]);
      answered += 1;
      if (answer.ok) return;
      failures += 1;
      if (!answer.retryable) refused.push(`${answer.id}: ${answer.reason}`);
    };
    const deliver = (worker: ProcessorProcess, event: BusEvent): void => {
      delivered.set(event.id, (delivered.get(event.id) ?? 0) + 1);
      worker.deliver(event);
    };
    const answeredOk = (event: BusEvent): boolean =>
      (answers.get(event.id) ?? []).some((answer) => answer.ok);

    // Act
    // Before the crash: every command once, a share of them twice at the same moment.
    const first = await ProcessorProcess.start(db.url, CONCURRENCY, record);
    workers.push(first);
    for (const event of events) {
      deliver(first, event);
      if (random() < TWIN_SHARE) deliver(first, event);
    }
    await waitUntil(
      () => answered,
      (count) => count >= KILL_AFTER,
      { what: `${KILL_AFTER} answers before the kill`, timeoutMs: 90_000 },
    );
    await first.kill9();
    const killedAt = performance.now();
    const unansweredAtKill = events.filter((event) => !answeredOk(event));
    const committedAtKill = await db.count('SELECT count(*) AS n FROM processed_events');

    // After the restart: whatever got no answer again (EventBridge retries it), and a share of
    // what did (a redelivery after a lost acknowledgement).
    const second = await ProcessorProcess.start(db.url, CONCURRENCY, record);
    workers.push(second);
    const restartMs = since(killedAt);
    const again = [
      ...unansweredAtKill,
      ...events.filter((event) => answeredOk(event) && random() < LATE_REPEAT_SHARE),
    ];
    for (const event of again) deliver(second, event);
    // A transient failure (a lost race) is retried, as the platform retries a failed invocation.
    await waitUntil(
      () => {
        if (refused.length > 0) throw new Error(`commands refused for good: ${refused.join('; ')}`);
        const retry = events.filter(
          (event) => !answeredOk(event) && (answers.get(event.id) ?? []).at(-1)?.ok === false,
        );
        for (const event of retry) {
          answers.delete(event.id);
          deliver(second, event);
        }
        return events.filter((event) => !answeredOk(event)).length;
      },
      (unanswered) => unanswered === 0,
      { what: 'every command to be answered after the restart', timeoutMs: 90_000 },
    );
    const drainMs = since(killedAt);
    await second.stop();

    // Assess
    // The crash happened mid-stream, with work in flight.
    expect(unansweredAtKill.length).toBeGreaterThan(0);
    expect(committedAtKill).toBeLessThan(COMMANDS);
    // Exactly once: one task, one processed-event record and one task.created event per command.
    const perTitle = await db.rows<{ title: string; n: number }>(
      'SELECT title, count(*) AS n FROM tasks GROUP BY title',
    );
    expect(perTitle.filter((row) => row.n !== 1)).toEqual([]);
    expect(perTitle).toHaveLength(COMMANDS);
    const processed = await db.rows<{ event_id: string }>('SELECT event_id FROM processed_events');
    expect(new Set(processed.map((row) => row.event_id))).toEqual(new Set(events.map((e) => e.id)));
    const caused = await db.rows<{ correlation_id: string; n: number }>(
      `SELECT correlation_id, count(*) AS n FROM outbox WHERE type = 'task.created'
        GROUP BY correlation_id`,
    );
    expect(caused.filter((row) => row.n !== 1)).toEqual([]);
    expect(caused).toHaveLength(COMMANDS);
    // Every answer for one command names the same task, and at most one of them did the work.
    const okAnswers = [...answers.values()].map((list) =>
      list.filter((a): a is Extract<WorkerAnswer, { ok: true }> => a.ok),
    );
    expect(okAnswers.filter((list) => new Set(list.map((a) => a.taskId)).size !== 1)).toEqual([]);
    expect(okAnswers.filter((list) => list.filter((a) => !a.duplicate).length > 1)).toEqual([]);
    const repeats = [...delivered.values()].reduce((sum, n) => sum + n, 0) - COMMANDS;
    expect(repeats).toBeGreaterThan(0);

    printFigures('processor kill -9 with at-least-once delivery', {
      commands: COMMANDS,
      'deliveries (all)': COMMANDS + repeats,
      'repeated deliveries': repeats,
      'answered as duplicates': okAnswers.flat().filter((a) => a.duplicate).length,
      'transient failures retried': failures,
      'commands committed at the kill': committedAtKill,
      'commands unanswered at the kill': unansweredAtKill.length,
      'restart (ms)': restartMs,
      'kill to all answered (ms)': drainMs,
      'total (ms)': since(started),
    });
  });
});
