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

/**
 * Signs in (on `url`: the host, or a proxy in front of it) and opens the board of the project
 * named `project` from the project list, waiting until it is live.
 */
export async function openProjectBoard(
  page: Page,
  url: string,
  who: { readonly name: string; readonly email: string },
  project: string,
  liveWithinMs = 30_000,
): Promise<void> {
  await signIn(page, url, who.name, who.email);
  await page.getByRole('link', { name: project }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: liveWithinMs });
}

/** The WCAG levels every page and dialog of the board must meet. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * What axe-core finds against WCAG 2.1 A and AA in the page, or in the element `within`
 * selects: one line per rule broken, `rule: the elements at fault` (none: an empty list). Axe is
 * injected as a script, so the page's context must bypass the host's CSP (`bypassCSP`), which
 * allows no inline script; page code is sent as text (these specs compile without DOM types).
 */
export async function accessibilityViolations(page: Page, within?: string): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const scope =
    within === undefined ? 'document' : `document.querySelector(${JSON.stringify(within)})`;
  return page.evaluate<string[]>(`axe
    .run(${scope}, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } })
    .then((result) =>
      result.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')),
    )`);
}
