// `nx run infra:synth`: synthesizes every supported shape of Taskflow, offline and without AWS
// credentials, each into its own cloud assembly (<out>/<stage>-<engine>-<regions>), with
// cdk-nag's AWS Solutions checks (an unacknowledged finding fails the run), and prints the
// stacks it made. The stacks are account-agnostic and get their availability zones from
// Fn::GetAZs, so no context lookup is needed.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DATABASE_ENGINES } from './config/config.schema';
import { PRESET_STAGES, resolveConfig } from './config/presets';
import { buildTaskflowApp } from './taskflow-app';

const outRoot = resolve(process.argv[2] ?? '../dist/infra/synth');
const bundleDir = resolve(process.argv[3] ?? join(__dirname, '..', '..', 'dist'));
const started = Date.now();
let stacks = 0;
rmSync(outRoot, { recursive: true, force: true });
for (const stage of PRESET_STAGES)
  for (const engine of DATABASE_ENGINES)
    for (const multiRegion of [false, true]) {
      const shape = `${stage}-${engine}-${multiRegion ? 'two-regions' : 'one-region'}`;
      const app = new App({ outdir: join(outRoot, shape) });
      const config = resolveConfig(stage, engine, { multiRegion });
      buildTaskflowApp(app, config, { bundleDir, deploymentId: 'synth', nag: true });
      const assembly = app.synth();
      for (const stack of assembly.stacks) {
        const template = stack.template as { Resources?: Record<string, unknown> };
        const resources = Object.keys(template.Resources ?? {}).length;
        console.log(
          `${shape.padEnd(40)} ${stack.stackName.padEnd(40)} ${String(resources).padStart(4)} resources`,
        );
        stacks++;
      }
    }
console.log(
  `${String(stacks)} stacks synthesized into ${outRoot} in ${String(Date.now() - started)} ms, cdk-nag clean`,
);
