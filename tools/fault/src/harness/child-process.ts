import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root, where `tsx` and the tsconfig path aliases resolve. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..', '..');

/** Lines of output kept per child, for the message of a failed test. */
const TAIL_LINES = 40;

/** A TypeScript entry point run in its own Node process (through tsx), as `npm run` would. */
export class TypeScriptProcess {
  private readonly tail: string[] = [];
  private readonly exited: Promise<NodeJS.Signals | number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly name: string,
    tailStdout: boolean,
  ) {
    const keep = (chunk: Buffer): void => {
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
    };
    // Both streams are always read: a child blocked on a full pipe would look like a hang.
    if (tailStdout) child.stdout?.on('data', keep);
    else child.stdout?.resume();
    child.stderr?.on('data', keep);
    // Writing to a child that was just killed fails with EPIPE: that is the crash, not an error.
    child.stdin?.on('error', () => undefined);
    // 'close', not 'exit': the output has been read to its end by then.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        resolve(signal ?? code);
      });
    });
  }

  /**
   * Spawns `node --import tsx <entry>` from the repository root: one process, so that a SIGKILL
   * reaches the code under test itself (the `tsx` CLI would run it in a grandchild).
   *
   * @param env - the child's whole environment besides PATH and HOME: nothing of the test
   *   runner's environment (AWS settings, DATABASE_URL) leaks in.
   * @param options.stdoutIsProtocol - stdout carries data the caller reads, not log lines.
   */
  static spawn(
    name: string,
    entry: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    options: { readonly stdoutIsProtocol?: boolean } = {},
  ): TypeScriptProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPOSITORY_ROOT, entry), ...args],
      {
        cwd: REPOSITORY_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    return new TypeScriptProcess(child, name, options.stdoutIsProtocol !== true);
  }

  /** The last lines the child wrote (stdout and stderr). */
  logTail(): string {
    return this.tail.join('\n');
  }

  /** Resolves with the exit code or signal once the process has ended. */
  get exit(): Promise<NodeJS.Signals | number | null> {
    return this.exited;
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Asks the process to stop (SIGTERM); kills it if it is still running after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** How a one-shot command ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript command (`npm run dlq -- ...`) to completion in its own process. */
export async function runTypeScriptCommand(
  entry: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<CommandResult> {
  const command = TypeScriptProcess.spawn(entry, entry, args, env, { stdoutIsProtocol: true });
  command.child.stdin?.end();
  let stdout = '';
  let stderr = '';
  command.child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  command.child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = await command.exit;
  return { code: typeof exit === 'number' ? exit : null, stdout, stderr };
}
