import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  WEB_DIR,
  describeWithBoard,
  launchChromium,
  openProjectBoard,
  card,
  column,
} from './testing/board-browser';
import { addMember, createProject, createTask as createTaskAs } from './testing/fixtures';
import { type TestHost, startTestHost } from './testing/test-host';
import { TestWebSocketGateway } from './testing/websocket-gateway';

const withBrowser = describeWithBoard('web board over WebSocket browser test');

/**
 * The board on AWS follows projects on the realtime stack's WebSocket API, which replays
 * nothing: here the local host plays the REST API and a {@link TestWebSocketGateway} plays the
 * WebSocket API, named by `liveUrl` in the `/config.json` the browser is given.
 */
withBrowser('the web board over a WebSocket gateway, in a real browser', () => {
  let t: TestHost;
  let gateway: TestWebSocketGateway;
  let browser: Browser;
  let projectId: string;
  let aliceToken: string;

  beforeAll(async () => {
    t = await startTestHost('boardws', { webDir: WEB_DIR });
    gateway = await TestWebSocketGateway.start(t.url);
    browser = await launchChromium();
    const alice = await t.login('alice@example.com', 'Alice');
    aliceToken = alice.token;
    projectId = await createProject(t, alice.token, 'Launch');
    await addMember(t, { ...alice, projectId }, await t.login('bob@example.com', 'Bob'), 'editor');
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await gateway.close();
    await t.stop();
  });

  /**
   * A browser whose board reads a `/config.json` naming the gateway (the host's, plus
   * `liveUrl`). Requests to the SSE route are recorded: over WebSocket there must be none.
   *
   * The host's Content-Security-Policy allows `connect-src 'self'` only (it knows no gateway:
   * a live URL is no host setting), and the page cannot be served with another one through
   * `route.fulfill`: Chromium then takes the page for a public one and blocks its connections
   * to 127.0.0.1 (local network access checks). So this browser does not apply the page's CSP;
   * the web stack's CSP, which names the WebSocket API, is asserted by infra's tests.
   */
  async function overWebSocket(): Promise<{ context: BrowserContext; sse: string[] }> {
    const context = await browser.newContext({ bypassCSP: true });
    const sse: string[] = [];
    context.on('request', (request) => {
      if (/\/projects\/[^/]+\/stream$/.test(new URL(request.url()).pathname))
        sse.push(request.url());
    });
    await context.route(`${t.url}/config.json`, async (route) => {
      const response = await route.fetch();
      const config = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...config, liveUrl: gateway.url } });
    });
    return { context, sse };
  }

  /** Signs in and opens the project's board until it says Live. */
  const openBoard = (page: Page, name: string, email: string): Promise<void> =>
    openProjectBoard(page, t.url, { name, email }, 'Launch', 10_000);

  /** A task made through the API (Alice), and its id and version. */
  async function createTask(title: string): Promise<{ id: string; version: number }> {
    const task = await createTaskAs(t, aliceToken, { projectId, title });
    return { id: String(task['id']), version: Number(task['version']) };
  }

  it('B, over WebSocket, sees A’s create and move within 1 s', async () => {
    // Prepare: A on the host's SSE stream, B on the gateway.
    const a = await (await browser.newContext()).newPage();
    const { context, sse } = await overWebSocket();
    const b = await context.newPage();
    await openBoard(a, 'Alice', 'alice@example.com');
    const acceptedBefore = gateway.accepted;
    await openBoard(b, 'Bob', 'bob@example.com');

    // Act
    await a.getByLabel('New task').fill('Write the launch post');
    await a.getByRole('button', { name: 'Add' }).click();
    await column(b, 'To do')
      .locator('.card', { hasText: 'Write the launch post' })
      .waitFor({ timeout: 1_000 });
    await card(a, 'Write the launch post').dragTo(column(a, 'In progress'));

    // Assess
    await column(b, 'In progress')
      .locator('.card', { hasText: 'Write the launch post' })
      .waitFor({ timeout: 1_000 });
    expect(gateway.accepted).toBe(acceptedBefore + 1);
    expect(sse).toEqual([]);
    await context.close();
  }, 60_000);

  it('B’s gateway is cut for 5 s while A makes 20 changes, a delete among them: B catches up with all, the deleted card gone, none twice', async () => {
    // Prepare: two cards B shows before the cut, one to be deleted and one to be moved.
    const doomed = await createTask('Doomed');
    const mover = await createTask('Mover');
    const { context, sse } = await overWebSocket();
    const b = await context.newPage();
    await openBoard(b, 'Bob', 'bob@example.com');
    await card(b, 'Doomed').waitFor({ timeout: 5_000 });
    await card(b, 'Mover').waitFor({ timeout: 5_000 });
    const acceptedBefore = gateway.accepted;

    // Act: cut; 17 creates, a rename, a move and a delete; 5 s later, back.
    gateway.cut();
    await b.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ timeout: 5_000 });
    const cutAt = Date.now();
    let renamed = { id: '', version: 0 };
    for (let i = 1; i <= 17; i += 1) {
      const created = await createTask(`While away ${String(i)}`);
      if (i === 1) renamed = created;
    }
    const changes = [
      t.request('PATCH', `/tasks/${renamed.id}`, {
        token: aliceToken,
        headers: { 'if-match': `"${String(renamed.version)}"` },
        body: { title: 'Renamed while away' },
      }),
      t.request('PATCH', `/tasks/${mover.id}`, {
        token: aliceToken,
        headers: { 'if-match': `"${String(mover.version)}"` },
        body: { status: 'in_progress' },
      }),
      t.request('DELETE', `/tasks/${doomed.id}`, { token: aliceToken }),
    ];
    for (const response of await Promise.all(changes)) expect(response.status).toBeLessThan(300);
    await b.waitForTimeout(Math.max(0, 5_000 - (Date.now() - cutAt)));
    // Still offline at the end of the cut: nothing reached B meanwhile.
    expect(await b.getByRole('status').textContent()).toContain('Offline');
    expect(await card(b, 'While away 17').count()).toBe(0);
    gateway.restore();

    // Assess
    await b.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await card(b, 'While away 17').waitFor({ timeout: 5_000 });
    await card(b, 'Doomed').waitFor({ state: 'detached', timeout: 5_000 });
    await column(b, 'In progress').locator('.card', { hasText: 'Mover' }).waitFor();
    const titles = await b.locator('.card .title').allTextContents();
    expect(new Set(titles).size).toBe(titles.length);
    const away = titles.filter((title) => /^While away \d+$/.test(title));
    expect(away.sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => `While away ${String(i + 2)}`).sort(),
    );
    expect(titles).toContain('Renamed while away');
    expect(titles).not.toContain('Doomed');
    expect(gateway.accepted).toBeGreaterThan(acceptedBefore);
    expect(sse).toEqual([]);

    // And live again after the catch-up: a change now arrives as an event.
    await createTask('After the cut');
    await card(b, 'After the cut').waitFor({ timeout: 1_000 });
    await context.close();
  }, 90_000);
});
