import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_TABLE_END,
  CONFIG_TABLE_START,
  renderConfigTable,
  replaceConfigTable,
} from './config-table';
import { configVariableNames } from './parse-environment';

const README = join(__dirname, '..', '..', '..', '..', 'README.md');

describe('the configuration table', () => {
  it('in README.md is the one the schema renders (run `npm run config:docs` after a change)', () => {
    const readme = readFileSync(README, 'utf8');

    expect(readme).toContain(CONFIG_TABLE_START);
    expect(replaceConfigTable(readme)).toBe(readme);
  });

  it('has one row per variable of the host and the Lambdas', () => {
    const rows = renderConfigTable().trimEnd().split('\n').slice(2);
    const names = new Set([...configVariableNames('host'), ...configVariableNames('lambda')]);

    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1]).sort()).toEqual([...names].sort());
  });

  it.each([
    ['JWT_ISSUER', '`taskflow`', 'host, api, processor, relay, ws-connect'],
    ['JWT_SECRET_ARN', '—', 'api, processor, relay, ws-connect'],
    ['EVENT_BUS_NAME', '—', 'host, api, processor, relay'],
    ['DATABASE_POOL_SIZE', '`10`', 'host, every Lambda'],
    ['WEBSOCKET_CALLBACK_URL', '—', 'broadcaster'],
    ['PORT', '`3000`', 'host'],
  ])('shows %s with default %s, used by %s', (name, shown, users) => {
    const row = renderConfigTable()
      .split('\n')
      .find((line) => line.startsWith(`| \`${name}\` `));

    expect(row?.split(' | ').map((cell) => cell.trim())).toEqual(
      expect.arrayContaining([shown, users]),
    );
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceConfigTable('# no table')).toThrow(CONFIG_TABLE_END);
  });
});
