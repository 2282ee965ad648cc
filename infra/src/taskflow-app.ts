import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentRegions, type TaskflowConfig } from './config/config.schema';
import { DsqlPeering } from './constructs/dsql-peering.construct';
import { ApiStack } from './stacks/api.stack';
import { type AppStackKind, appStackName } from './stacks/app-stack';
import { FoundationStack } from './stacks/foundation.stack';
import { MonitoringStack } from './stacks/monitoring.stack';
import { ProcessorStack } from './stacks/processor.stack';
import { RealtimeStack } from './stacks/realtime.stack';
import { RelayStack } from './stacks/relay.stack';
import { WebStack } from './stacks/web.stack';

/** Options of {@link buildTaskflowApp} beyond the configuration. */
export interface BuildOptions {
  /**
   * The repository's `dist`: `apps/lambda-<app>/index.js` for every Lambda app, and the web
   * board's build in `apps/web` (with `config.web.enabled`).
   */
  readonly bundleDir: string;
  /** Changes per deployment so the migrator runs on every deploy. */
  readonly deploymentId: string;
  /** Register cdk-nag's AWS Solutions checks on the app (synth fails on a finding). */
  readonly nag: boolean;
}

/** Every stack of one region. */
export interface RegionStacks {
  readonly region: string;
  readonly foundation: FoundationStack;
  readonly api: ApiStack;
  readonly realtime: RealtimeStack;
  readonly processor: ProcessorStack;
  readonly relay: RelayStack;
  readonly monitoring: MonitoringStack;
}

/** The stacks of one deployment, per region, primary first. */
export interface TaskflowStacks {
  readonly foundations: readonly FoundationStack[];
  readonly regions: readonly RegionStacks[];
  /**
   * The web board, in the primary region after its api and realtime stacks (null without
   * `config.web.enabled`).
   */
  readonly web: WebStack | null;
}

/** Stack name of a region's foundation: `<project>-<stage>-foundation-<region>`. */
export function foundationStackName(config: TaskflowConfig, region: string): string {
  return `${config.projectName}-${config.stage}-foundation-${region}`;
}

/**
 * Adds every Taskflow stack for a configuration to the app: per region, the foundation, then
 * the app stacks on it; once, in the primary region, the web board. With two regions the
 * second region's stacks depend on the first's (the global database or the primary DSQL
 * cluster must exist first) and, for DSQL, peer the primary cluster back.
 *
 * The board's distribution is in the primary foundation, so that every api stack can name its
 * origin (callback URLs, CORS) and the web stack, after the primary api and realtime stacks,
 * can write the API's URL, the WebSocket stage's URL and the user pool client into its
 * `config.json`: no stack refers back.
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

  const webOrigin = primary.webHosting?.origin;
  const regionStacks: RegionStacks[] = [];
  foundations.forEach((foundation, i) => {
    const region = regions[i] ?? primaryRegion;
    regionStacks.push(
      appStacks(app, config, options, foundation, region, env(region), {
        primaryApi: regionStacks[0]?.api,
        webOrigin,
      }),
    );
  });
  const primaryStacks = regionStacks[0];
  const web =
    primary.webHosting === null || primaryStacks === undefined
      ? null
      : new WebStack(app, appStackName(config, 'web', primaryRegion), {
          config,
          foundation: primary,
          api: primaryStacks.api,
          realtime: primaryStacks.realtime,
          bundleDir: options.bundleDir,
          env: env(primaryRegion),
          description: `Taskflow ${config.stage} web board (${primaryRegion})`,
          terminationProtection: config.deletionProtection,
        });

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { foundations, regions: regionStacks, web };
}

/** The app stacks of one region, on its foundation: one per deployable app, then monitoring. */
function appStacks(
  app: App,
  config: TaskflowConfig,
  options: BuildOptions,
  foundation: FoundationStack,
  region: string,
  env: { account?: string; region: string },
  shared: { readonly primaryApi: ApiStack | undefined; readonly webOrigin: string | undefined },
): RegionStacks {
  const { primaryApi, webOrigin } = shared;
  const props = (what: string) => ({
    config,
    foundation,
    bundleDir: options.bundleDir,
    env,
    description: `Taskflow ${config.stage} ${what} (${region})`,
    terminationProtection: config.deletionProtection,
  });
  const name = (kind: AppStackKind): string => appStackName(config, kind, region);
  const api = new ApiStack(app, name('api'), {
    ...props('REST API'),
    ...(primaryApi === undefined ? {} : { primary: primaryApi }),
    ...(webOrigin === undefined ? {} : { webOrigin }),
  });
  const realtime = new RealtimeStack(app, name('realtime'), props('live updates'));
  const processor = new ProcessorStack(app, name('processor'), props('task processor'));
  const relay = new RelayStack(app, name('relay'), props('outbox relay'));
  const monitoring = new MonitoringStack(app, name('monitoring'), {
    config,
    env,
    description: `Taskflow ${config.stage} dashboard and alarms (${region})`,
    terminationProtection: config.deletionProtection,
    foundation,
    api,
    realtime,
    processor,
    relay,
    apis: {
      restApiName: api.restApi.api.restApiName,
      restStage: api.restApi.stage.stageName,
      webSocketApiId: realtime.webSocketApi.apiId,
      webSocketStage: realtime.webSocketStage.stageName,
    },
    // The rules on the Taskflow bus (the relay's schedule, on the default bus, is watched
    // through its missed-runs queue and the outbox lag instead).
    rules: [
      { label: 'inbound-task-commands', rule: processor.inboundRule },
      { label: 'published-events', rule: processor.publishedEventsRule },
      { label: 'broadcast', rule: realtime.broadcast.rule },
      ...(realtime.forward === null ? [] : [{ label: 'forward', rule: realtime.forward.rule }]),
    ].map(({ label, rule }) => ({
      label,
      ruleName: rule.ruleName,
      busName: foundation.eventBus.eventBusName,
    })),
    accessLogGroup: api.restApi.accessLogGroup,
  });
  return { region, foundation, api, realtime, processor, relay, monitoring };
}
