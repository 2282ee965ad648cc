import { type Server, type Socket, connect, createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  WEB_DIR,
  describeWithBoard,
  launchChromium,
  openProjectBoard,
  signIn,
  card,
  column,
} from './testing/board-browser';
import { addMember, createProject, createTask } from './testing/fixtures';
import { type TestHost, startTestHost } from './testing/test-host';

/** Screenshots of the board, shown in the README. */
const SCREENSHOTS = resolve(__dirname, '../../../docs/screenshots');

const withBrowser = describeWithBoard('web board browser test');

/**
 * A TCP proxy in front of the host whose network can be cut: every open connection is dropped
 * and new ones are refused until it is restored, as when a laptop loses its Wi-Fi.
 */
class CuttableNetwork {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<CuttableNetwork> {
    const server = createServer();
    const network = new CuttableNetwork(server);
    server.on('connection', (client) => {
      if (network.down) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        network.sockets.add(socket);
        socket.on('close', () => network.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return network;
  }

  get url(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

withBrowser('the web board in a real browser', () => {
  let t: TestHost;
  let browser: Browser;
  let projectId: string;
  let aliceToken: string;

  beforeAll(async () => {
    t = await startTestHost('board', { webDir: WEB_DIR });
    browser = await launchChromium();
    // Alice owns the project; Bob edits it; Vera only views it.
    const alice = await t.login('alice@example.com', 'Alice');
    projectId = await createProject(t, alice.token, 'Launch');
    aliceToken = alice.token;
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
  }, 60_000);

  /** Signs `name` in and opens the project's board, live (on `url`: the host, or a proxy). */
  async function openBoard(name: string, email: string, url = t.url): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await openProjectBoard(page, url, { name, email }, 'Launch');
    return page;
  }

  /** Waits until the titles of a column's cards read `titles`, top to bottom. */
  const columnReads = async (
    page: Page,
    status: string,
    titles: readonly string[],
    timeout = 5_000,
  ): Promise<void> => {
    const deadline = Date.now() + timeout;
    const titlesNow = () =>
      page.locator(`[data-status="${status}"] .card .title`).allTextContents();
    let seen = await titlesNow();
    while (JSON.stringify(seen) !== JSON.stringify(titles) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = await titlesNow();
    }
    expect(seen).toEqual(titles);
  };

  it('A drags a card within its column and B sees the new order within 1 s; the same by keyboard', async () => {
    // Created one after another: newest on top.
    for (const title of ['Order one', 'Order two', 'Order three'])
      await createTask(t, aliceToken, { projectId, title, status: 'cancelled' });
    const a = await openBoard('Alice', 'alice@example.com');
    const b = await openBoard('Bob', 'bob@example.com');
    await columnReads(a, 'cancelled', ['Order three', 'Order two', 'Order one']);

    // Dropped on the top half of the top card: it goes above it.
    await card(a, 'Order one').dragTo(card(a, 'Order three'), { targetPosition: { x: 20, y: 3 } });
    await columnReads(a, 'cancelled', ['Order one', 'Order three', 'Order two']);
    await columnReads(b, 'cancelled', ['Order one', 'Order three', 'Order two'], 1_000);

    await card(b, 'Order one').focus();
    await b.keyboard.press('Alt+ArrowDown');
    await columnReads(a, 'cancelled', ['Order three', 'Order one', 'Order two'], 1_000);
    await b.reload();
    await columnReads(b, 'cancelled', ['Order three', 'Order one', 'Order two']);
  }, 60_000);

  const openPanel = async (page: Page, title: string): Promise<void> => {
    await page.getByRole('button', { name: `Open ${title}` }).click();
    await page.getByRole('dialog').waitFor();
  };

  it('both edit different fields of one task at once: both edits survive', async () => {
    const a = await openBoard('Alice', 'alice@example.com');
    const b = await openBoard('Bob', 'bob@example.com');
    await a.getByLabel('New task').fill('Shared task');
    await a.getByRole('button', { name: 'Add' }).click();
    await card(b, 'Shared task').waitFor({ timeout: 1_000 });
    await openPanel(a, 'Shared task');
    await openPanel(b, 'Shared task');

    // Alice starts typing first; Bob saves first; then Alice saves on the version she saw.
    await a.getByRole('dialog').getByLabel('Description').fill('Alice’s notes');
    await b.getByRole('dialog').getByLabel('Priority').selectOption('urgent');
    await b.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await a.getByText('Someone changed this task while you were editing').waitFor();
    await a.getByRole('dialog').getByRole('button', { name: 'Save' }).click();

    const { token } = await t.login('alice@example.com');
    const stored = async () => {
      const tasks = await t.request('GET', `/tasks?projectId=${projectId}&q=Shared`, { token });
      return (tasks.body as { items: { description: string; priority: string }[] }).items[0];
    };
    // The re-applied save lands a moment after the click.
    for (let i = 0; i < 50 && (await stored())?.description !== 'Alice’s notes'; i += 1)
      await a.waitForTimeout(100);
    expect(await stored()).toMatchObject({ description: 'Alice’s notes', priority: 'urgent' });
    await b.getByRole('dialog').getByLabel('Description').waitFor();
    expect(await b.getByRole('dialog').getByLabel('Description').inputValue()).toBe(
      'Alice’s notes',
    );
    await a.getByRole('dialog').screenshot({ path: join(SCREENSHOTS, 'task-panel.png') });
  }, 60_000);

  it('both edit the same field: the one who saves second is shown the other’s value and asked whose stays', async () => {
    const a = await openBoard('Alice', 'alice@example.com');
    const b = await openBoard('Bob', 'bob@example.com');
    await openPanel(a, 'Shared task');
    await openPanel(b, 'Shared task');

    await a.getByRole('dialog').getByLabel('Title').fill('Shared task (Alice)');
    await b.getByRole('dialog').getByLabel('Title').fill('Shared task (Bob)');
    await b.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await card(a, 'Shared task (Bob)').waitFor({ timeout: 1_000 });
    await a.getByRole('dialog').getByRole('button', { name: 'Save' }).click();

    const asked = a.getByRole('alert').filter({ hasText: 'Someone else changed title' });
    await asked.waitFor();
    expect(await card(a, 'Shared task (Bob)').count()).toBe(1);

    // Alice keeps her title after all: it goes on Bob's version, and Bob sees it.
    await asked.getByRole('button', { name: 'Use mine' }).click();
    await card(b, 'Shared task (Alice)').waitFor({ timeout: 1_000 });
    expect(await asked.count()).toBe(0);
  }, 60_000);

  it('a board whose network drops for 5 s catches up with all 20 changes made meanwhile, none twice', async () => {
    const network = await CuttableNetwork.start(Number(new URL(t.url).port));
    const a = await openBoard('Alice', 'alice@example.com');
    const b = await openBoard('Bob', 'bob@example.com', network.url);

    network.cut();
    await b.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ timeout: 5_000 });
    const owner = await t.login('alice@example.com');
    for (let i = 1; i <= 20; i += 1) {
      await t.request('POST', '/tasks', {
        token: owner.token,
        body: { projectId, title: `While away ${String(i)}` },
      });
    }
    await a.locator('.card', { hasText: 'While away 20' }).waitFor({ timeout: 1_000 });
    await b.waitForTimeout(5_000);
    network.restore();

    await b.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
    await card(b, 'While away 20').waitFor({ timeout: 5_000 });
    const titles = await b.locator('.card .title').allTextContents();
    const away = titles.filter((title) => title.startsWith('While away '));
    expect(away).toHaveLength(20);
    expect(new Set(away).size).toBe(20);
    await network.close();
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

  it('says so when its code cannot be loaded (the network fails mid-load), instead of a blank page', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.route('**/assets/app-*.js', (route) => route.abort('internetdisconnected'));

    await page.goto(`${t.url}/`);

    await page.getByText('Taskflow could not load').waitFor({ timeout: 5_000 });
  }, 30_000);

  it('keeps the filters in the URL', async () => {
    const a = await (await browser.newContext()).newPage();
    await signIn(a, t.url, 'Alice', 'alice@example.com');
    await a.goto(`${t.url}/#/projects/${projectId}?q=nothing-matches`);
    await a.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    expect(await a.getByLabel('Search').inputValue()).toBe('nothing-matches');
    expect(await a.locator('.card').count()).toBe(0);
  }, 60_000);
});
