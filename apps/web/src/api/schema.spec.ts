import { execFile } from 'node:child_process';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../../../..');
const SCHEMA = join(ROOT, 'apps/web/src/api/schema.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const GENERATOR = join(ROOT, 'apps/web/scripts/generate-api-types.ts');

/** Runs `npm run web:api -- --check` (the generator itself, as npm would). */
async function check(): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(TSX, [GENERATOR, '--check'], { cwd: ROOT });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe('the web board’s API types (src/api/schema.ts)', () => {
  it('are what the current routes generate', async () => {
    expect(await check()).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('a file that drifted from the routes fails the check, naming the command that fixes it', async () => {
    const saved = `${SCHEMA}.saved`;
    await copyFile(SCHEMA, saved);
    try {
      await writeFile(SCHEMA, `${await readFile(saved, 'utf8')}\n// drift\n`);

      const result = await check();

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('npm run web:api');
    } finally {
      await copyFile(saved, SCHEMA);
      await rm(saved);
    }
  }, 60_000);
});
