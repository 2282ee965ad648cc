// `npm run web:api`: rewrites the web board's API types (apps/web/src/api/schema.ts) from the
// current routes. With `--check`, rewrites nothing and exits 1 when the file differs (the web
// app's spec runs it so, so that a drifting API fails the tests).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_API_TYPES, webApiTypes } from './api-types';

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const file = join(process.cwd(), WEB_API_TYPES);
  const after = await webApiTypes();
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // First generation.
  }
  if (after === before) {
    process.stdout.write(`unchanged: ${WEB_API_TYPES}\n`);
    return 0;
  }
  if (check) {
    process.stderr.write(
      `${WEB_API_TYPES} differs from what the API's routes generate: run npm run web:api\n`,
    );
    return 1;
  }
  writeFileSync(file, after);
  process.stdout.write(`rewrote: ${WEB_API_TYPES}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(2);
  },
);
