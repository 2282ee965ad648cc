import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { LAMBDA_APPS, LAMBDA_RUNTIME, lambdaAppFolder } from './taskflow-function.construct';

const ROOT = resolve(__dirname, '../../..');
/** The esbuild settings of every Lambda bundle, where the bundles' target is set. */
const LAMBDA_CONFIG = 'tools/build/lambda.esbuild.cjs';
/** The Nx plugin that gives every Lambda app its targets (nx.json "plugins"). */
const LAMBDA_PLUGIN = 'tools/build/lambda-targets.plugin.cjs';

interface BuildTarget {
  executor?: string;
  options?: { target?: string; esbuildConfig?: string; platform?: string };
}

interface ProjectTargets {
  targets?: { build?: BuildTarget };
}

/** What the plugin infers: per file, the projects (by root) and their targets. */
type Inferred = ReadonlyArray<readonly [string, { projects?: Record<string, ProjectTargets> }]>;

/** The plugin's createNodes: its file pattern, and its function of the matching files. */
type CreateNodes = readonly [
  string,
  (
    files: readonly string[],
    options: undefined,
    context: { workspaceRoot: string },
  ) => Inferred | Promise<Inferred>,
];

const lambdaPlugin = (): CreateNodes =>
  (createRequire(__filename)(join(ROOT, LAMBDA_PLUGIN)) as { createNodes: CreateNodes })
    .createNodes;

/** Every app's project.json (workspace-relative), the files Nx passes to the plugin. */
function appProjectFiles(): string[] {
  return readdirSync(join(ROOT, 'apps'))
    .map((folder) => `apps/${folder}/project.json`)
    .filter((file) => existsSync(join(ROOT, file)));
}

/**
 * The build target of each folder under apps/, as Nx resolves it: what the Lambda plugin infers,
 * with the project.json's own build target over it (its options merged key by key).
 */
async function buildTargets(): Promise<Map<string, BuildTarget | undefined>> {
  const [, infer] = lambdaPlugin();
  const files = appProjectFiles();
  const inferred = new Map(
    (await infer(files, undefined, { workspaceRoot: ROOT })).flatMap(([, result]) =>
      Object.entries(result.projects ?? {}),
    ),
  );
  return new Map(
    files.map((file) => {
      const base = inferred.get(dirname(file))?.targets?.build;
      const own = (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as ProjectTargets).targets
        ?.build;
      const target =
        base === undefined && own === undefined
          ? undefined
          : { ...base, ...own, options: { ...base?.options, ...own?.options } };
      return [basename(dirname(file)), target];
    }),
  );
}

/** The folders under apps/ whose build uses the Lambda esbuild settings. */
async function appsWithLambdaConfig(): Promise<string[]> {
  return [...(await buildTargets())]
    .filter(([, target]) => target?.options?.esbuildConfig === LAMBDA_CONFIG)
    .map(([folder]) => folder)
    .sort();
}

/**
 * The target esbuild compiles a project's bundle for: the Lambda settings with the `target`
 * @nx/esbuild passes (the project's own, else the executor's default, esnext), read after every
 * plugin has set up, as the build then runs with it.
 */
async function effectiveTarget(projectTarget: string | undefined): Promise<unknown> {
  const config = createRequire(__filename)(join(ROOT, LAMBDA_CONFIG)) as BuildOptions;
  let seen: unknown;
  const probe: Plugin = {
    name: 'probe',
    setup(b) {
      seen = b.initialOptions.target;
    },
  };
  await build({
    ...config,
    stdin: { contents: 'export {};', loader: 'ts' },
    write: false,
    logLevel: 'silent',
    platform: 'node',
    target: projectTarget ?? 'esnext',
    plugins: [...(config.plugins ?? []), probe],
  });
  return seen;
}

describe('Lambda bundle target', () => {
  // nodejs22.x -> node22: the esbuild target of the runtime's Node.js release.
  const runtimeTarget = LAMBDA_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

  it('the runtime is a Node.js one', () => {
    expect(LAMBDA_RUNTIME.name).toMatch(/^nodejs\d+\.x$/);
  });

  it('the Lambda plugin is registered, and given the project.json of every app', () => {
    const nx = JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')) as {
      plugins?: (string | { plugin: string })[];
    };
    const plugins = (nx.plugins ?? []).map((p) => (typeof p === 'string' ? p : p.plugin));
    expect(plugins).toContain(`./${LAMBDA_PLUGIN}`);
    expect(lambdaPlugin()[0]).toBe('apps/*/project.json');
  });

  it('every Lambda app, and only they, build with the Lambda esbuild settings', async () => {
    expect(await appsWithLambdaConfig()).toEqual(LAMBDA_APPS.map(lambdaAppFolder).sort());
  });

  it.each([...LAMBDA_APPS])(
    '%s is bundled for the Node.js release of the Lambda runtime, with no target of its own',
    async (app) => {
      // Prepare
      const target = (await buildTargets()).get(lambdaAppFolder(app));

      // Act
      const effective = await effectiveTarget(target?.options?.target);

      // Assess
      expect(target?.executor).toBe('@nx/esbuild:esbuild');
      expect(target?.options?.platform).toBe('node');
      expect(target?.options?.target).toBeUndefined();
      expect(effective).toBe(runtimeTarget);
    },
  );

  it('fails the build of a project that sets another target instead of overriding it silently', async () => {
    await expect(effectiveTarget('node20')).rejects.toThrow(
      /the Lambda bundles target node\d+ \(tools\/build\/lambda\.esbuild\.cjs\)/,
    );
  });
});
