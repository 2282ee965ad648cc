// `npm test`: lint and test every Nx project (no Nx Cloud, no daemon, no cache), then print the
// summed Jest results. Exits non-zero if any lint or test target failed.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { findJestReports } from './jest-reports.mjs';

const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' };
for (const stale of findJestReports()) rmSync(stale);
const run = spawnSync(
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    'lint',
    'test',
    '--parallel=2',
    '--outputStyle=static',
    '--skip-nx-cache',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env },
);
spawnSync(process.execPath, ['tools/scripts/jest-summary.mjs'], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
