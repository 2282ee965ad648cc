import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { machineBusyMs } from './proc-stats';

/** Prints one line on standard output. */
export const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

/** Undo steps, run last-in first-out on success, failure and Ctrl-C alike. */
export class Cleanup {
  private readonly steps: { label: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  /** Registers an undo step; it runs before every step registered earlier. */
  add(label: string, run: () => Promise<void>): void {
    this.steps.push({ label, run });
  }

  /** Runs every step once (later calls get the same promise); a failing step does not stop the others. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          process.stderr.write(`cleanup (${step.label}) failed: ${String(error)}\n`);
        }
      }
    })();
    return this.running;
  }
}

/** The commit measured, and how many files differ from it (a shared work tree moves). */
export function sourceLine(repoRoot: string): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain').split('\n').filter(Boolean).length;
    return `source: commit ${git('rev-parse', '--short', 'HEAD')}, ${changed} uncommitted paths`;
  } catch {
    return 'source: not a git work tree';
  }
}

/** Share of all cores busy over `ms`, whoever used them, in percent. */
export async function machineShareBusy(ms: number): Promise<number> {
  const before = machineBusyMs();
  const started = performance.now();
  await new Promise((resolveWait) => setTimeout(resolveWait, ms));
  return (
    ((machineBusyMs() - before) * 100) / ((performance.now() - started) * availableParallelism())
  );
}

/**
 * Runs a benchmark's `main` and exits with its code. Ctrl-C, SIGTERM, a throw or an uncaught
 * exception anywhere runs the cleanup first, so that no server, database or temp folder is left
 * behind; a second signal exits at once.
 */
export function runBenchmark(main: (cleanup: Cleanup) => Promise<number>): void {
  const cleanup = new Cleanup();
  let stopping = false;
  const stopNow = (reason: string): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${reason}: stopping the servers and removing the database…\n`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopNow(signal);
    });
  }
  // A throw in a timer or event handler must not leave a host, a database or a temp folder behind.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    stopNow('uncaught exception');
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${String(reason)}\n`);
    stopNow('unhandled rejection');
  });

  main(cleanup).then(
    async (code) => {
      await cleanup.runAll();
      process.exit(code);
    },
    async (error: unknown) => {
      process.stderr.write(
        `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await cleanup.runAll();
      process.exit(1);
    },
  );
}
