import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { LAMBDA_APPS, LAMBDA_RUNTIME, lambdaAppFolder } from './taskflow-function.construct';

const ROOT = resolve(__dirname, '../../..');
/** The esbuild settings of every Lambda bundle, where the bundles' target is set. */
const LAMBDA_CONFIG = 'tools/build/lambda.esbuild.cjs';

interface BuildTarget {
  executor?: string;
  options?: { target?: string; esbuildConfig?: string; platform?: string };
}

function buildTargetOf(folder: string): BuildTarget | undefined {
  const project = JSON.parse(readFileSync(join(ROOT, 'apps', folder, 'project.json'), 'utf8')) as {
    targets?: { build?: BuildTarget };
  };
  return project.targets?.build;
}

/** The folders under apps/ whose build uses the Lambda esbuild settings. */
function appsWithLambdaConfig(): string[] {
  return readdirSync(join(ROOT, 'apps'))
    .filter((folder) => existsSync(join(ROOT, 'apps', folder, 'project.json')))
    .filter((folder) => buildTargetOf(folder)?.options?.esbuildConfig === LAMBDA_CONFIG)
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

  it('every Lambda app, and only they, build with the Lambda esbuild settings', () => {
    expect(appsWithLambdaConfig()).toEqual(LAMBDA_APPS.map(lambdaAppFolder).sort());
  });

  it.each([...LAMBDA_APPS])(
    '%s is bundled for the Node.js release of the Lambda runtime, with no target of its own',
    async (app) => {
      // Prepare
      const target = buildTargetOf(lambdaAppFolder(app));

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
