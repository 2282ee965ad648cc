import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BusEvent } from '@taskflow/platform-event-routing';
import { TypeScriptProcess } from './child-process';
import { deferred } from './wait';

const WORKER = join('tools', 'fault', 'src', 'harness', 'processor-worker.ts');
const START_TIMEOUT_MS = 60_000;

/** The worker's answer for one delivered event. */
export type WorkerAnswer =
  | { readonly id: string; readonly ok: true; readonly duplicate: boolean; readonly taskId: string }
  | {
      readonly id: string;
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
    };

/**
 * A task processor in a child process (`processor-worker.ts`): events are delivered as
 * EventBridge would invoke its target, answers come back as they complete. Killing it with
 * SIGKILL loses the answers of events in flight, whose effects may or may not have committed.
 */
export class ProcessorProcess {
  private constructor(private readonly process: TypeScriptProcess) {}

  /**
   * Starts a worker over `databaseUrl` and resolves once it is wired; `onAnswer` then gets each
   * answer as it arrives.
   */
  static async start(
    databaseUrl: string,
    concurrency: number,
    onAnswer: (answer: WorkerAnswer) => void,
  ): Promise<ProcessorProcess> {
    const child = TypeScriptProcess.spawn(
      'processor',
      WORKER,
      [databaseUrl, String(concurrency)],
      {},
      {
        stdoutIsProtocol: true,
      },
    );
    const ready = deferred<undefined>();
    const timer = setTimeout(() => {
      ready.reject(new Error(`the processor did not start:\n${child.logTail()}`));
    }, START_TIMEOUT_MS);
    const stdout = child.child.stdout;
    if (stdout === null) throw new Error('the processor has no stdout');
    createInterface({ input: stdout }).on('line', (line) => {
      const message = JSON.parse(line) as WorkerAnswer | { ready: true };
      if ('ready' in message) ready.resolve(undefined);
      else onAnswer(message);
    });
    void child.exit.then((code) => {
      ready.reject(new Error(`the processor exited (${String(code)}):\n${child.logTail()}`));
    });
    try {
      await ready.promise;
    } catch (error) {
      await child.kill9();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return new ProcessorProcess(child);
  }

  /** Hands one event to the processor (an asynchronous invocation). */
  deliver(event: BusEvent): void {
    this.process.child.stdin?.write(`${JSON.stringify(event)}\n`);
  }

  /** kill -9: events in flight lose their answers. */
  kill9(): Promise<void> {
    return this.process.kill9();
  }

  /** Lets the worker finish what it was given, then waits for it to exit. */
  async stop(): Promise<void> {
    this.process.child.stdin?.end();
    const timer = setTimeout(() => this.process.child.kill('SIGKILL'), 30_000);
    await this.process.exit;
    clearTimeout(timer);
  }
}
