import type { Browser, Page } from 'playwright-core';
import {
  WEB_DIR,
  describeWithBoard,
  accessibilityViolations,
  launchChromium,
  openProjectBoard,
  card,
  column,
} from './testing/board-browser';
import { createProject, createTask } from './testing/fixtures';
import { asRecord } from './testing/responses';
import { type TestHost, startTestHost } from './testing/test-host';

const withBrowser = describeWithBoard('members browser test');

const readOnly = (page: Page) => page.getByText(/^Read only/);

withBrowser('project members in a real browser', () => {
  let t: TestHost;
  let browser: Browser;
  let projectId: string;
  let bobId: string;

  beforeAll(async () => {
    t = await startTestHost('members', { webDir: WEB_DIR });
    browser = await launchChromium();
    // Alice owns the project; Bob has signed in once, so his address is known, but is no member.
    const alice = await t.login('alice@example.com', 'Alice');
    ({ userId: bobId } = await t.login('bob@example.com', 'Bob'));
    projectId = await createProject(t, alice.token, 'Crew');
    await createTask(t, alice.token, { projectId, title: 'Book the venue' });
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await t.stop();
  });

  /** Signs in through the board's sign-in page and opens the project's board, live. */
  async function openBoard(name: string, email: string, width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await openProjectBoard(page, t.url, { name, email }, 'Crew');
    return page;
  }

  const members = (page: Page) => page.getByRole('dialog', { name: /Members of Crew/ });

  it('A adds B as a viewer: B’s board is read-only; A promotes B: B drags without a reload; the last owner stays', async () => {
    const a = await openBoard('Alice', 'alice@example.com');

    // Alice opens the panel from the board's header: focus moves into it.
    await a.getByRole('button', { name: /^Members/ }).click();
    await members(a).waitFor();
    expect(await members(a).locator(':focus').count()).toBe(1);
    await members(a).getByLabel('E-mail address of the new member').fill('BOB@example.com');
    await members(a).getByLabel('Role of the new member').selectOption('viewer');
    await members(a).getByRole('button', { name: 'Add member' }).click();
    await members(a).getByLabel('Role of Bob').waitFor();
    expect(await members(a).getByLabel('Role of Bob').inputValue()).toBe('viewer');
    await members(a).getByText('bob@example.com', { exact: true }).waitFor();
    // The form is ready for the next one, as a viewer again (never an owner by default).
    expect(await members(a).getByLabel('Role of the new member').inputValue()).toBe('viewer');
    expect(await members(a).getByLabel('E-mail address of the new member').inputValue()).toBe('');

    const b = await openBoard('Bob', 'bob@example.com');
    await b.getByText('Read only (viewer)').waitFor();
    expect(await card(b, 'Book the venue').getAttribute('draggable')).toBe('false');
    // Bob sees the members, read-only.
    await b.getByRole('button', { name: /^Members/ }).click();
    await members(b).getByText('alice@example.com', { exact: true }).waitFor();
    expect(await members(b).getByRole('combobox').count()).toBe(0);
    expect(await accessibilityViolations(b, '[role=dialog]')).toEqual([]);
    await b.keyboard.press('Escape');
    await members(b).waitFor({ state: 'detached' });

    await members(a).getByLabel('Role of Bob').selectOption('editor');
    await members(a).getByRole('status').filter({ hasText: 'Bob is now editor' }).waitFor();

    // Bob's open board follows, live: no reload.
    await readOnly(b).waitFor({ state: 'detached', timeout: 2_000 });
    expect(await card(b, 'Book the venue').getAttribute('draggable')).toBe('true');
    await card(b, 'Book the venue').dragTo(column(b, 'In progress'));
    await column(b, 'In progress').locator('.card', { hasText: 'Book the venue' }).waitFor();
    await column(a, 'In progress').locator('.card', { hasText: 'Book the venue' }).waitFor();
    const { token } = await t.login('alice@example.com');
    const stored = await t.request('GET', `/tasks?projectId=${projectId}`, { token });
    expect((asRecord(stored.body)['items'] as { status: string }[])[0]?.status).toBe('in_progress');

    // The last owner cannot step down: the panel says why and keeps her an owner.
    await members(a).getByLabel('Role of Alice').selectOption('viewer');
    await members(a)
      .getByRole('alert')
      .filter({ hasText: 'A project must keep at least one owner' })
      .waitFor();
    expect(await members(a).getByLabel('Role of Alice').inputValue()).toBe('owner');
    expect(await readOnly(a).count()).toBe(0);
    expect(await accessibilityViolations(a, '[role=dialog]')).toEqual([]);

    // Removing asks first; Escape closes the panel and gives focus back to its button.
    await members(a).getByRole('button', { name: 'Remove Bob' }).click();
    await members(a)
      .getByRole('button', { name: 'Yes, remove Bob' })
      .and(a.locator(':focus'))
      .waitFor();
    await members(a).getByRole('button', { name: 'Cancel' }).click();
    await members(a).getByRole('button', { name: 'Remove Bob' }).and(a.locator(':focus')).waitFor();
    expect(await members(a).getByLabel('Role of Bob').count()).toBe(1);
    await a.keyboard.press('Escape');
    await members(a).waitFor({ state: 'detached' });
    expect(await a.locator(':focus').textContent()).toMatch(/^Members/);
  }, 60_000);

  it('a demoted editor loses the board’s editing live; a removal is confirmed and ends their stream', async () => {
    const { token } = await t.login('alice@example.com');
    const path = `/projects/${projectId}/members/${bobId}`;
    expect((await t.request('PATCH', path, { token, body: { role: 'editor' } })).status).toBe(200);
    const a = await openBoard('Alice', 'alice@example.com');
    const b = await openBoard('Bob', 'bob@example.com');
    expect(await readOnly(b).count()).toBe(0);

    await a.getByRole('button', { name: /^Members/ }).click();
    await members(a).getByLabel('Role of Bob').selectOption('viewer');
    await b.getByText('Read only (viewer)').waitFor({ timeout: 2_000 });
    expect(await card(b, 'Book the venue').getAttribute('draggable')).toBe('false');
    expect(await b.getByLabel('New task').count()).toBe(0);

    await members(a).getByRole('button', { name: 'Remove Bob' }).click();
    await members(a).getByRole('button', { name: 'Yes, remove Bob' }).click();
    await members(a).getByRole('status').filter({ hasText: 'Bob was removed' }).waitFor();
    await b.getByRole('status').filter({ hasText: 'Stream ended' }).waitFor({ timeout: 2_000 });
    const project = asRecord((await t.request('GET', `/projects/${projectId}`, { token })).body);
    expect(project['members']).not.toContainEqual(expect.objectContaining({ userId: bobId }));
  }, 60_000);

  it('fits a 375 px wide screen: the panel and its controls stay within it', async () => {
    const a = await openBoard('Alice', 'alice@example.com', 375);
    await a.getByRole('button', { name: /^Members/ }).click();
    await members(a).waitFor();

    const boxes = await Promise.all(
      [members(a), ...(await members(a).locator('button, select, input, strong').all())].map(
        (element) => element.boundingBox(),
      ),
    );
    expect(boxes.length).toBeGreaterThan(5);
    const overflowing = boxes.filter(
      (box) => box === null || box.x < 0 || box.x + box.width > 375.5,
    );
    expect(overflowing).toEqual([]);
    expect(await accessibilityViolations(a, '[role=dialog]')).toEqual([]);
  }, 60_000);
});
