import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentRegions, type TaskflowConfig } from './config/config.schema';
import { DsqlPeering } from './constructs/dsql-peering.construct';
import { FoundationStack } from './stacks/foundation.stack';

/** Options of {@link buildTaskflowApp} beyond the configuration. */
export interface BuildOptions {
  /** The folder holding `apps/<app>/index.js` for every Lambda app (the repository's `dist`). */
  readonly bundleDir: string;
  /** Changes per deployment so the migrator runs on every deploy. */
  readonly deploymentId: string;
  /** Register cdk-nag's AWS Solutions checks on the app (synth fails on a finding). */
  readonly nag: boolean;
}

/** The stacks of one deployment, per region, primary first. */
export interface TaskflowStacks {
  readonly foundations: readonly FoundationStack[];
}

/** Stack name of a region's foundation: `<project>-<stage>-foundation-<region>`. */
export function foundationStackName(config: TaskflowConfig, region: string): string {
  return `${config.projectName}-${config.stage}-foundation-${region}`;
}

/**
 * Adds every Taskflow stack for a configuration to the app: per region, the foundation. With
 * two regions the second region's stacks depend on the first's (the global database or the
 * primary DSQL cluster must exist first) and, for DSQL, peer the primary cluster back.
 */
export function buildTaskflowApp(
  app: App,
  config: TaskflowConfig,
  options: BuildOptions,
): TaskflowStacks {
  const regions = deploymentRegions(config);
  const [primaryRegion, secondaryRegion] = regions;
  if (primaryRegion === undefined) throw new Error('no region to deploy to');
  const env = (region: string): { account?: string; region: string } =>
    config.account === undefined ? { region } : { account: config.account, region };
  const common = { config, bundleDir: options.bundleDir, deploymentId: options.deploymentId };
  const foundations: FoundationStack[] = [];

  const primary = new FoundationStack(app, foundationStackName(config, primaryRegion), {
    ...common,
    env: env(primaryRegion),
    role: secondaryRegion === undefined ? { kind: 'single' } : { kind: 'primary', secondaryRegion },
    description: `Taskflow ${config.stage} foundation (${config.database.engine}, ${primaryRegion})`,
    crossRegionReferences: secondaryRegion !== undefined,
    terminationProtection: config.deletionProtection,
  });
  foundations.push(primary);

  if (secondaryRegion !== undefined) {
    const primaryDsql = primary.dsql;
    const secondary = new FoundationStack(app, foundationStackName(config, secondaryRegion), {
      ...common,
      env: env(secondaryRegion),
      role: {
        kind: 'secondary',
        primaryRegion,
        ...(primaryDsql === null
          ? {}
          : {
              primaryClusterArn: primaryDsql.clusterArn,
              primaryClusterId: primaryDsql.cluster.attrIdentifier,
            }),
      },
      description: `Taskflow ${config.stage} foundation (${config.database.engine}, ${secondaryRegion}, secondary)`,
      crossRegionReferences: true,
      terminationProtection: config.deletionProtection,
    });
    secondary.addStackDependency(primary, 'the global database / primary DSQL cluster comes first');
    const witness = config.regions.witness;
    if (primaryDsql !== null && secondary.dsql !== null && witness !== undefined)
      new DsqlPeering(secondary, 'DsqlPeering', {
        primary: {
          region: primaryRegion,
          clusterId: primaryDsql.cluster.attrIdentifier,
          clusterArn: primaryDsql.clusterArn,
        },
        secondary: secondary.dsql,
        witnessRegion: witness,
      });
    foundations.push(secondary);
  }

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { foundations };
}
