import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { createProject, createTask } from './testing/fixtures';
import { type TestHost, startTestHost } from './testing/test-host';
import { systemChromium } from './testing/system-browser';

/**
 * The page of a board on another origin: it asks for a stream ticket and creates a task with
 * fetch (preflighted: Authorization, JSON, Idempotency-Key), reads the exposed headers, and
 * follows the project with the browser's own EventSource, whose reconnects nobody helps.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>board</title><script>
const params = new URLSearchParams(location.hash.slice(1));
const api = params.get('api'), token = params.get('token'), projectId = params.get('project');
const results = { events: [], opens: [], errors: [], headers: {} };
window.results = results;
window.createTask = async (title) => {
  const response = await fetch(api + '/tasks', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json',
               'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ projectId, title }),
  });
  results.headers = { status: response.status, etag: response.headers.get('ETag'),
    location: response.headers.get('Location'), requestId: response.headers.get('X-Request-Id') };
  return (await response.json()).id;
};
(async () => {
  const issued = await fetch(api + '/projects/' + projectId + '/stream-tickets', {
    method: 'POST', headers: { Authorization: 'Bearer ' + token },
  });
  const { streamUrl } = await issued.json();
  const source = new EventSource(api + streamUrl);
  source.addEventListener('stream.open', (e) => results.opens.push(e.lastEventId));
  source.addEventListener('task.created', (e) =>
    results.events.push({ id: e.lastEventId, taskId: JSON.parse(e.data).aggregateId }));
  source.onerror = () => results.errors.push(source.readyState);
})().catch((error) => results.errors.push(String(error)));
</script>`;

const browserPath = systemChromium();
if (browserPath === null) {
  process.stderr.write(
    'cross-origin browser test skipped: no Chromium found (install Debian’s `chromium`, or set CHROMIUM_PATH)\n',
  );
}
const withBrowser = browserPath === null ? describe.skip : describe;

interface PageResults {
  readonly events: { id: string; taskId: string }[];
  readonly opens: string[];
  readonly errors: unknown[];
  readonly headers: Record<string, unknown>;
}

/** A site serving one page, and how to take it down. */
interface Site {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `html` at every path of a new local origin. */
async function serve(html: string): Promise<Site> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

withBrowser('a real browser on another origin', () => {
  let site: Site;
  let t: TestHost;
  let browser: Browser;

  beforeAll(async () => {
    site = await serve(PAGE);
    t = await startTestHost('browser', { corsOrigins: [site.origin] });
    browser = await chromium.launch({
      executablePath: browserPath ?? '',
      // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox'],
    });
  });

  afterAll(async () => {
    await browser.close();
    await t.stop();
    await site.close();
  });

  it('calls the API with fetch, reads its headers, and keeps an EventSource live across a server-side end', async () => {
    const owner = await t.login('browser@example.com');
    const projectId = await createProject(t, owner.token, 'Board');
    const page = await browser.newPage();
    await page.goto(
      `${site.origin}/#${new URLSearchParams({ api: t.url, token: owner.token, project: projectId }).toString()}`,
    );
    const results = async (): Promise<PageResults> =>
      page.evaluate(() => (globalThis as unknown as { results: PageResults }).results);
    await page.waitForFunction(
      () => (globalThis as unknown as { results: PageResults }).results.opens.length === 1,
    );

    const first = await page.evaluate(async () =>
      (globalThis as unknown as { createTask(t: string): Promise<string> }).createTask('one'),
    );
    await page.waitForFunction(
      () => (globalThis as unknown as { results: PageResults }).results.events.length === 1,
    );
    expect((await results()).headers).toMatchObject({
      status: 201,
      etag: '"1"',
      location: `/tasks/${first}`,
      requestId: expect.stringMatching(/.+/),
    });

    // The server ends every stream (a restart does the same); the browser reconnects by itself,
    // with the same ticket URL and its Last-Event-ID, and gets what committed in between.
    const hub = t.host.live?.hub;
    hub?.stop();
    hub?.start();
    const second = String((await createTask(t, owner.token, { projectId, title: 'two' }))['id']);
    await page.waitForFunction(
      () => (globalThis as unknown as { results: PageResults }).results.events.length >= 2,
      undefined,
      { timeout: 10_000 },
    );
    const after = await results();
    expect(after.opens).toHaveLength(2);
    expect(after.events.map((e) => e.taskId)).toEqual([first, second]);
    await page.close();
  });
});
