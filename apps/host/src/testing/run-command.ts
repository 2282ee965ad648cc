import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The repository's root, where `npm run` starts the commands. */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** How a command ended and what it printed. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command's TypeScript entry (`apps/host/src/cli/<entry>`) as `npm run` does, in a fresh
 * process that sees only `env` (besides PATH and HOME): no AWS settings of the machine running
 * the tests leak in.
 */
export function runCommand(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'apps', 'host', 'src', 'cli', entry), ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
