import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** The modules that read the environment, each as the default of its `env` parameter. */
const CONFIG_ENTRY_POINTS = [
  'apps/host/src/config.ts',
  'libs/platform/lambda-runtime/src/config.ts',
];

/** Readers still to be moved onto the schema, each with what it reads. */
const PENDING: Readonly<Record<string, string>> = {
  // Powertools' own variable, read before the configuration by the mains' createTelemetry().
  'libs/platform/lambda-runtime/src/telemetry.ts': 'POWERTOOLS_METRICS_NAMESPACE',
};

/** A main or a command handing the whole environment to its configuration module. */
const HANDED_OVER = /\bload(?:Lambda)?Config\(\s*$/;
const READ =
  /\bprocess\s*(?:\.\s*env\b|\[\s*['"]env['"]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/g;
const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;

function projectsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (existsSync(join(path, 'project.json'))) found.push(path);
    else found.push(...projectsUnder(path));
  }
  return found;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'testing'].includes(entry.name) ? [] : sourcesUnder(path);
    return SOURCE.test(entry.name) && !entry.name.includes('.spec.') ? [path] : [];
  });
}

/** Workspace-relative paths of the apps' and libraries' sources, specs and test support aside. */
function productionSources(): string[] {
  return ['apps', 'libs']
    .flatMap((top) => projectsUnder(join(ROOT, top)))
    .filter((project) => {
      const { tags = [] } = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as {
        tags?: string[];
      };
      return !tags.includes('type:testing') && !relative(ROOT, project).endsWith('testing');
    })
    .flatMap(sourcesUnder)
    .map((path) => relative(ROOT, path).split(sep).join('/'));
}

/** The places a file reads the environment, comments left out, handing it over allowed. */
function environmentReads(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(READ)]
    .filter((match) => !HANDED_OVER.test(code.slice(0, match.index)))
    .map((match) => code.slice(match.index, code.indexOf('\n', match.index)).trim());
}

describe('process.env', () => {
  const sources = productionSources();

  it('finds the sources it checks', () => {
    expect(sources).toEqual(
      expect.arrayContaining([...CONFIG_ENTRY_POINTS, 'apps/lambda-api/src/main.ts']),
    );
  });

  it('is read by the configuration entry points only; mains and commands hand it to them', () => {
    const readers = sources
      .filter((path) => !CONFIG_ENTRY_POINTS.includes(path) && PENDING[path] === undefined)
      .map((path) => ({ path, reads: environmentReads(readFileSync(join(ROOT, path), 'utf8')) }))
      .filter(({ reads }) => reads.length > 0);

    expect(readers).toEqual([]);
  });

  it('still has each pending reader (drop it from the list once it is moved)', () => {
    for (const path of Object.keys(PENDING))
      expect(environmentReads(readFileSync(join(ROOT, path), 'utf8'))).not.toEqual([]);
  });

  it.each([
    ['a variable', "const port = process.env['PORT'];", 1],
    ['the whole environment', 'const env = process.env;', 1],
    ['a destructuring', 'const { env } = process;', 1],
    ['handing it to the host configuration', 'loadConfig(process.env, { LOG_LEVEL: "warn" });', 0],
    ['handing it to a function configuration', 'loadLambdaConfig(\n  process.env,\n  needs);', 0],
    ['a comment', '// never process.env here\n/* nor process.env */', 0],
  ])('tells %s apart', (_case, text, reads) => {
    expect(environmentReads(text)).toHaveLength(reads);
  });
});
