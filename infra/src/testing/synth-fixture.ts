import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { TaskflowConfig } from '../config/config.schema';
import { LAMBDA_APPS } from '../constructs/taskflow-function.construct';
import { buildTaskflowApp, type RegionStacks, type TaskflowStacks } from '../taskflow-app';
import { regionAt } from './template-assertions';

let bundleDir: string | undefined;

/** The fake board's hashed script, as Vite names one (tests look for it in the upload). */
export const FAKE_WEB_SCRIPT = 'index-T3st0001.js';

/**
 * A `dist` folder with a one-line handler per app and a two-file board build, so that tests
 * synthesize without building the real bundles (the infra:synth target uses the real ones).
 */
export function fakeBundleDir(): string {
  if (bundleDir !== undefined) return bundleDir;
  const dir = mkdtempSync(join(tmpdir(), 'taskflow-infra-bundles-'));
  for (const app of LAMBDA_APPS) {
    mkdirSync(join(dir, 'apps', `lambda-${app}`), { recursive: true });
    writeFileSync(
      join(dir, 'apps', `lambda-${app}`, 'index.js'),
      `exports.handler = async () => ({ app: '${app}' });\n`,
    );
  }
  const web = join(dir, 'apps', 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(
    join(web, 'index.html'),
    `<!doctype html><div id="app"></div><script type="module" src="/assets/${FAKE_WEB_SCRIPT}"></script>\n`,
  );
  writeFileSync(join(web, 'assets', FAKE_WEB_SCRIPT), 'document.title = "Taskflow";\n');
  bundleDir = dir;
  return dir;
}

/** A fresh app holding every stack of a configuration (asset bundling is skipped). */
export function synthFixture(
  config: TaskflowConfig,
  nag = false,
): { app: App; stacks: TaskflowStacks } {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'taskflow-infra-out-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = buildTaskflowApp(app, config, {
    bundleDir: fakeBundleDir(),
    deploymentId: 'test',
    nag,
  });
  return { app, stacks };
}

/**
 * One stack of a fresh fixture's primary region with its template, and the fixture (cdk-nag on
 * unless `nag` is false: the stack specs check that every finding is acknowledged).
 */
export function primaryStackFixture<K extends Exclude<keyof RegionStacks, 'region'>>(
  config: TaskflowConfig,
  kind: K,
  nag = true,
): { app: App; stacks: TaskflowStacks; stack: RegionStacks[K]; template: Template } {
  const { app, stacks } = synthFixture(config, nag);
  const stack = regionAt(stacks, 0)[kind];
  return { app, stacks, stack, template: Template.fromStack(stack) };
}
