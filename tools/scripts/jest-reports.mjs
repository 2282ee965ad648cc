// Finds the Jest --json reports that `nx run-many -t test` leaves in <project>/jest-results.json.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of every project's Jest report under apps/, libs/, tools/ and infra/. */
export function findJestReports(root = process.cwd()) {
  const reports = [];
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name === 'jest-results.json') reports.push(join(dir, entry.name));
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === 'dist') continue;
      if (depth < 4) walk(join(dir, entry.name), depth + 1);
    }
  };
  for (const top of ['apps', 'libs', 'tools', 'infra']) walk(join(root, top), 0);
  return reports;
}
