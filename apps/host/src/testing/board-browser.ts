import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { systemChromium } from './system-browser';

/** The board as `npx nx build web` builds it (the host's test target builds it first). */
export const WEB_DIR = resolve(__dirname, '../../../../dist/apps/web');

/** The system Chromium, or null. */
export const browserPath = systemChromium();

/**
 * `describe` when a browser and a built board are there, else `describe.skip` after saying why
 * on stderr (`npm test` passes on a machine without a browser; `.ci/run` installs `chromium`).
 */
export function describeWithBoard(suite: string): jest.Describe {
  const built = existsSync(join(WEB_DIR, 'index.html'));
  if (browserPath !== null && built) return describe;
  process.stderr.write(
    `${suite} skipped: ${browserPath === null ? 'no Chromium found (install Debian’s `chromium`, or set CHROMIUM_PATH)' : `no built board in ${WEB_DIR} (npx nx build web)`}\n`,
  );
  return describe.skip;
}

/** Signs in through the board's development sign-in page, as a person would. */
export async function signIn(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

/** Launches the system Chromium headless, as the board's browser tests run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: browserPath ?? '',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** The card of the task titled `title` (any column). */
export const card = (page: Page, title: string) => page.locator('.card', { hasText: title });

/** The column named `name` ("To do", "In progress"…). */
export const column = (page: Page, name: string) => page.getByRole('region', { name });
