import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');

/** What each scope may import, besides itself: the layer rule of docs/architecture.md. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'scope:platform': [],
  'scope:users': ['scope:platform'],
  'scope:projects': ['scope:users', 'scope:platform'],
  'scope:tasks': ['scope:projects', 'scope:users', 'scope:platform'],
  'scope:app': ['scope:tasks', 'scope:projects', 'scope:users', 'scope:platform'],
};

interface Library {
  readonly root: string;
  readonly alias: string;
  readonly scope: string;
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : filesUnder(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

function libraries(): Library[] {
  return filesUnder(join(ROOT, 'libs'), (name) => name === 'project.json').map((file) => {
    const root = join(file, '..');
    const project = JSON.parse(readFileSync(file, 'utf8')) as { tags?: string[] };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
    const scope = (project.tags ?? []).find((tag) => tag.startsWith('scope:')) ?? '(none)';
    return { root, alias: pkg.name, scope };
  });
}

/** Every import of a workspace library by the files (specs included) of `library`. */
function importsOf(library: Library): { file: string; alias: string }[] {
  return filesUnder(join(library.root, 'src'), (name) => name.endsWith('.ts')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from '(@taskflow\/[a-z-]+)'/g)].map((match) => ({
      file: relative(ROOT, file),
      alias: match[1] ?? '',
    })),
  );
}

describe('the layers of libs/', () => {
  const libs = libraries();
  const scopeOf = new Map(libs.map((lib) => [lib.alias, lib.scope]));

  it('gives every library one of the known scopes', () => {
    expect(libs.filter((lib) => !(lib.scope in ALLOWED)).map((lib) => lib.alias)).toEqual([]);
    expect(libs.length).toBeGreaterThan(20);
  });

  it.each(libs.map((lib) => [lib.alias, lib] as const))(
    '%s imports only its own scope or the ones below it',
    (_alias, lib) => {
      const allowed = new Set([lib.scope, ...(ALLOWED[lib.scope] ?? [])]);
      const upward = importsOf(lib)
        .filter(({ alias }) => !allowed.has(scopeOf.get(alias) ?? '(unknown)'))
        .map(({ file, alias }) => `${file} -> ${alias} (${scopeOf.get(alias) ?? 'unknown'})`);

      expect(upward).toEqual([]);
    },
  );
});
