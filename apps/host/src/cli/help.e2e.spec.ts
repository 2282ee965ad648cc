import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '../testing/run-command';

describe('every command answers --help', () => {
  // A data folder that must stay absent: help starts no database and writes nothing.
  const dataDir = join(REPO_ROOT, 'tmp', `help-spec-${String(process.pid)}`);

  it.each([
    ['migrate.command.ts', 'npm run migrate'],
    ['token.command.ts', 'npm run -s token'],
    ['seed.command.ts', 'npm run seed'],
    ['events-put.command.ts', 'npm run events:put'],
    ['events-replay.command.ts', 'npm run events:replay'],
    ['dlq.command.ts', 'npm run dlq'],
  ])('%s --help prints its usage and exits 0, touching nothing', async (entry, invocation) => {
    // Act
    const result = await runCommand(entry, ['--help'], { TASKFLOW_DATA_DIR: dataDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`usage: ${invocation}`);
    expect(result.stderr).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(['migrate.command.ts', 'seed.command.ts'])(
    '%s refuses an argument it does not take, with its usage',
    async (entry) => {
      // Act
      const result = await runCommand(entry, ['--dry-run'], { TASKFLOW_DATA_DIR: dataDir });

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('unknown argument --dry-run');
      expect(existsSync(dataDir)).toBe(false);
    },
  );
});
