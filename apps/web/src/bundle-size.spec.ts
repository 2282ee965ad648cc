import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// The build this project's test target runs first (dependsOn: build).
const DIST = join(__dirname, '../../../dist/apps/web');
const BOARD_ROUTE_MAX_GZIP_BYTES = 150 * 1024;

describe('the built board', () => {
  it('ships at most 150 KB of gzipped JavaScript for the board route', () => {
    const scripts = readdirSync(join(DIST, 'assets')).filter((file) => file.endsWith('.js'));
    const gzipped = scripts.reduce(
      (sum, file) => sum + gzipSync(readFileSync(join(DIST, 'assets', file)), { level: 9 }).length,
      0,
    );

    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(BOARD_ROUTE_MAX_GZIP_BYTES);
  });

  it('loads its script from the page, with no inline script (the host’s CSP allows none)', () => {
    const page = readFileSync(join(DIST, 'index.html'), 'utf8');

    expect(page).toMatch(
      /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/,
    );
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
