import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectProblem } from './testing/responses';
import { startTestHost } from './testing/test-host';

describe('the web board, served by the host at /', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Board</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1);');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page with a strict CSP, revalidated on every load, and hashed assets for a year', async () => {
    const t = await startTestHost('web', { webDir: dir });
    try {
      const page = await t.request('GET', '/');
      const asset = await t.request('GET', '/assets/index-abc123.js');
      const api = await t.request('GET', '/health');

      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('<title>Board</title>');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // The API is where it was.
      expect(api.status).toBe(200);
      expectProblem(await t.request('GET', '/assets/missing.js'), 404);
    } finally {
      await t.stop();
    }
  });

  it('without a built board, / is the API’s 404 problem', async () => {
    const t = await startTestHost('web_none', { webDir: join(dir, 'nothing-here') });
    try {
      expectProblem(await t.request('GET', '/'), 404);
    } finally {
      await t.stop();
    }
  });
});
