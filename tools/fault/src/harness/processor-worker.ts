/**
 * A task processor in its own process, standing in for the processor Lambda so that a test can
 * kill it with SIGKILL mid-stream: the same `createTaskProcessor` wiring over the same database
 * and use cases, fed by the test instead of by EventBridge.
 *
 * Usage: `node --import tsx processor-worker.ts <database-url> <concurrency>`.
 * stdin: one EventBridge event (JSON) per line, as EventBridge would invoke the target.
 * stdout: `{"ready":true}` once wired, then one answer per event, in completion order:
 * `{"id","ok":true,"duplicate","taskId"}` or `{"id","ok":false,"retryable","reason"}`.
 */
import { createInterface } from 'node:readline';
import { composeCore, createTaskProcessor, openPersistence } from '@taskflow/app-composition';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { EventProcessingError } from '@taskflow/tasks-inbound';

/** The processor settings the host and the Lambda use unless configured otherwise. */
const PROCESSOR_OPTIONS = {
  defaultProjectName: 'Inbox',
  systemUserEmail: 'system@taskflow.local',
};

function answer(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const [url, concurrencyText = '8'] = process.argv.slice(2);
  const concurrency = Number(concurrencyText);
  if (url === undefined || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('usage: processor-worker.ts <database-url> <concurrency>');
  }
  const persistence = await openPersistence(
    {
      url,
      poolSize: concurrency + 2,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: 0,
      ssl: 'disable',
      applicationName: 'taskflow-fault-processor',
      dialect: 'postgres',
    },
    uuidV7Generator,
  );
  const core = composeCore(
    persistence,
    // The processor issues no tokens: any secret will do.
    {
      signingSecret: 'x'.repeat(32),
      jwtIssuer: 'fault',
      jwtAudience: 'fault',
      jwks: null,
      region: 'local',
    },
    { error: () => undefined, warn: () => undefined },
  );
  const processor = createTaskProcessor(core, persistence, PROCESSOR_OPTIONS);

  const queue: unknown[] = [];
  let running = 0;
  let closed = false;
  const leaveWhenIdle = (): void => {
    if (closed && running === 0 && queue.length === 0) {
      void persistence.close().then(() => process.exit(0));
    }
  };
  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const event = queue.shift();
      running += 1;
      const id = (event as { id?: unknown } | undefined)?.id;
      processor
        .process(event)
        .then(
          (outcome) => {
            answer({ id, ok: true, duplicate: outcome.duplicate, taskId: outcome.taskId });
          },
          (error: unknown) => {
            answer({
              id,
              ok: false,
              retryable: !(error instanceof EventProcessingError) || error.retryable,
              reason: error instanceof Error ? error.message : String(error),
            });
          },
        )
        .finally(() => {
          running -= 1;
          pump();
          leaveWhenIdle();
        });
    }
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    queue.push(JSON.parse(line));
    pump();
  });
  lines.on('close', () => {
    // stdin closed: finish what was taken, then leave.
    closed = true;
    leaveWhenIdle();
  });
  answer({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
