import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  WEB_DIR,
  accessibilityViolations,
  describeWithBoard,
  launchChromium,
  openProjectBoard,
  signIn,
} from './testing/board-browser';
import { addMember, createProject, createTask } from './testing/fixtures';
import { type TestHost, startTestHost } from './testing/test-host';

const withBrowser = describeWithBoard('web board accessibility test');

/** Screenshots of the board, shown in the README. */
const SCREENSHOTS = resolve(__dirname, '../../../docs/screenshots');

/** Whether the page is wider than the screen (so a person would have to scroll sideways). */
const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate('document.documentElement.scrollWidth > window.innerWidth');

/** What has the keyboard focus: its accessible label, else its text. */
const focused = (page: Page): Promise<string> =>
  page.evaluate(
    `(() => { const e = document.activeElement; return e === null ? '' : (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent || '').trim(); })()`,
  );

withBrowser('the web board’s accessibility in a real browser', () => {
  let t: TestHost;
  let browser: Browser;
  const open: BrowserContext[] = [];

  beforeAll(async () => {
    t = await startTestHost('board_a11y', { webDir: WEB_DIR });
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
    const alice = await t.login('alice@example.com', 'Alice');
    const projectId = await createProject(t, alice.token, 'Launch');
    const bob = await t.login('bob@example.com', 'Bob');
    await addMember(t, { ...alice, projectId }, bob, 'editor');
    // One card of each look: every priority, an assignee, labels, due dates (one overdue).
    const cards = [
      { title: 'Overdue report', priority: 'urgent', dueDate: '2020-01-01T00:00:00Z' },
      { title: 'Plan the launch', priority: 'high', assigneeId: bob.userId, labels: ['plan'] },
      { title: 'Write the post', priority: 'medium', status: 'in_progress' },
      { title: 'Check links', priority: 'low', status: 'blocked', dueDate: '2099-01-01T00:00:00Z' },
      { title: 'Ship it', status: 'completed' },
      { title: 'Old idea', status: 'cancelled' },
      {
        title: 'Book the venue',
        priority: 'high',
        status: 'in_progress',
        assigneeId: bob.userId,
        labels: ['ops', 'venue'],
        dueDate: '2099-03-01T00:00:00Z',
      },
      { title: 'Draft the invite', status: 'blocked', labels: ['copy'] },
      { title: 'Pick a date', status: 'completed', labels: ['plan'] },
    ];
    for (const body of cards) await createTask(t, alice.token, { projectId, ...body });
  }, 120_000);

  afterAll(async () => {
    for (const context of open) await context.close();
    await browser.close();
    await t.stop();
  });

  /** A new browser of `width` × `height` px (axe is injected, so the page's CSP is bypassed). */
  async function newPage(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
    open.push(context);
    return context.newPage();
  }

  it.each([
    { screen: 'a desktop', width: 1280, height: 800 },
    { screen: 'a phone', width: 375, height: 740 },
  ])(
    'on $screen, every page passes WCAG 2.1 AA (axe) and none scrolls sideways',
    async ({ width, height }) => {
      const page = await newPage(width, height);
      await page.goto(`${t.url}/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const seen: Record<string, string[]> = { 'sign-in': await accessibilityViolations(page) };
      const sideways: Record<string, boolean> = { 'sign-in': await scrollsSideways(page) };

      await signIn(page, t.url, 'Alice', 'alice@example.com');
      seen['projects'] = await accessibilityViolations(page);
      sideways['projects'] = await scrollsSideways(page);

      await page.getByRole('link', { name: 'Launch' }).click();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await page.locator('.card', { hasText: 'Old idea' }).waitFor();
      seen['board'] = await accessibilityViolations(page);
      sideways['board'] = await scrollsSideways(page);
      // The README's pictures: a board with a card of each look.
      await page.screenshot({
        path: join(SCREENSHOTS, width < 500 ? 'board-phone.png' : 'board.png'),
      });

      await page.getByRole('button', { name: 'Open Plan the launch' }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByText('created the task').waitFor();
      seen['task panel'] = await accessibilityViolations(page);
      sideways['task panel'] = await scrollsSideways(page);

      expect(seen).toEqual({ 'sign-in': [], projects: [], board: [], 'task panel': [] });
      expect(sideways).toEqual({
        'sign-in': false,
        projects: false,
        board: false,
        'task panel': false,
      });
    },
    90_000,
  );

  it('the keyboard reaches the filters, then the new-task field, then the cards; the task panel takes the focus and gives it back', async () => {
    const page = await newPage(1280, 800);
    await openProjectBoard(page, t.url, { name: 'Alice', email: 'alice@example.com' }, 'Launch');
    await page.locator('.card', { hasText: 'Old idea' }).waitFor();

    const order: string[] = [];
    for (let i = 0; i < 30 && !order.some((stop) => stop.startsWith('Open ')); i += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    const at = (label: string) => order.findIndex((stop) => stop.startsWith(label));
    expect(at('Search')).toBeGreaterThan(-1);
    expect(at('Search')).toBeLessThan(at('New task'));
    // The top card of the first column: the newest task there.
    expect(at('New task')).toBeLessThan(at('Plan the launch, high priority'));
    expect(order.slice(at('New task') + 1, at('Plan the launch, high priority'))).toEqual(['Add']);

    await page.getByRole('button', { name: 'Open Plan the launch' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    expect(await page.evaluate('document.activeElement.closest("[role=dialog]") !== null')).toBe(
      true,
    );
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('Open Plan the launch');
  }, 60_000);
});
