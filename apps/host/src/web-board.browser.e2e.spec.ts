import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { addMember, createProject } from './testing/fixtures';
import { systemChromium } from './testing/system-browser';
import { type TestHost, startTestHost } from './testing/test-host';

/** The board as `npx nx build web` builds it (the host's test target builds it first). */
const WEB_DIR = resolve(__dirname, '../../../dist/apps/web');
/** Screenshots of the board, shown in the README. */
const SCREENSHOTS = resolve(__dirname, '../../../docs/screenshots');

const browserPath = systemChromium();
const built = existsSync(join(WEB_DIR, 'index.html'));
if (browserPath === null || !built) {
  process.stderr.write(
    `web board browser test skipped: ${browserPath === null ? 'no Chromium found (install Debian’s `chromium`, or set CHROMIUM_PATH)' : `no built board in ${WEB_DIR} (npx nx build web)`}\n`,
  );
}
const withBrowser = browserPath === null || !built ? describe.skip : describe;

/** Signs in through the board's sign-in page, as a person would. */
async function signIn(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

const card = (page: Page, title: string) => page.locator('.card', { hasText: title });
const column = (page: Page, name: string) => page.getByRole('region', { name });

withBrowser('the web board in a real browser', () => {
  let t: TestHost;
  let browser: Browser;
  let projectId: string;

  beforeAll(async () => {
    t = await startTestHost('board', { webDir: WEB_DIR });
    browser = await chromium.launch({
      executablePath: browserPath ?? '',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    // Alice owns the project; Bob edits it; Vera only views it.
    const alice = await t.login('alice@example.com', 'Alice');
    projectId = await createProject(t, alice.token, 'Launch');
    const owner = { ...alice, projectId };
    await addMember(t, owner, await t.login('bob@example.com', 'Bob'), 'editor');
    await addMember(t, owner, await t.login('vera@example.com', 'Vera'), 'viewer');
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await t.stop();
  });

  it('A creates and moves a card; B, on another board, sees both within 1 s', async () => {
    const a = await (await browser.newContext()).newPage();
    const b = await (await browser.newContext()).newPage();
    await signIn(a, t.url, 'Alice', 'alice@example.com');
    await signIn(b, t.url, 'Bob', 'bob@example.com');
    for (const page of [a, b]) {
      await page.getByRole('link', { name: 'Launch' }).click();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    }

    await a.getByLabel('New task').fill('Write the launch post');
    await a.getByRole('button', { name: 'Add' }).click();
    await column(b, 'To do')
      .locator('.card', { hasText: 'Write the launch post' })
      .waitFor({ timeout: 1_000 });

    await card(a, 'Write the launch post').dragTo(column(a, 'In progress'));
    await column(a, 'In progress').locator('.card', { hasText: 'Write the launch post' }).waitFor();
    await column(b, 'In progress')
      .locator('.card', { hasText: 'Write the launch post' })
      .waitFor({ timeout: 1_000 });

    // The same by keyboard: Alt+→ moves the focused card one column on.
    await card(b, 'Write the launch post').focus();
    await b.keyboard.press('Alt+ArrowRight');
    await column(a, 'Blocked')
      .locator('.card', { hasText: 'Write the launch post' })
      .waitFor({ timeout: 1_000 });

    await a.screenshot({ path: join(SCREENSHOTS, 'board.png'), fullPage: true });
  }, 60_000);

  it('a viewer sees the board read-only: no card can be dragged, no task added', async () => {
    const v = await (await browser.newContext()).newPage();
    await signIn(v, t.url, 'Vera', 'vera@example.com');
    await v.getByRole('link', { name: 'Launch' }).click();
    await v.getByText('Read only (viewer)').waitFor();
    await card(v, 'Write the launch post').waitFor();

    expect(await card(v, 'Write the launch post').getAttribute('draggable')).toBe('false');
    expect(await v.getByLabel('New task').count()).toBe(0);
    await card(v, 'Write the launch post').focus();
    await v.keyboard.press('Alt+ArrowLeft');
    await v.waitForTimeout(300);
    expect(await column(v, 'Blocked').locator('.card').count()).toBe(1);
  }, 60_000);

  it('keeps the filters in the URL', async () => {
    const a = await (await browser.newContext()).newPage();
    await signIn(a, t.url, 'Alice', 'alice@example.com');
    await a.goto(`${t.url}/#/projects/${projectId}?q=nothing-matches`);
    await a.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    expect(await a.getByLabel('Search').inputValue()).toBe('nothing-matches');
    expect(await a.locator('.card').count()).toBe(0);
  }, 60_000);
});
