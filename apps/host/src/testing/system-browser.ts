import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package (and most distributions) put the browser. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The system Chromium for browser tests: `CHROMIUM_PATH` when set, else the first one installed,
 * else null (the browser tests then say so and are skipped: `.ci/run` installs `chromium`).
 */
export function systemChromium(): string | null {
  const configured = process.env['CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') return configured;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}
