import {
  type DatabaseEngine,
  parseConfig,
  type TaskflowConfig,
  type TaskflowConfigInput,
} from './config.schema';

/** The stages that have a preset. */
export const PRESET_STAGES = ['dev', 'prod'] as const;
/** A stage with a preset. */
export type PresetStage = (typeof PRESET_STAGES)[number];

/** A deep partial of the configuration input: what a file or the CLI context overrides. */
export type ConfigOverrides = { readonly [K in keyof TaskflowConfigInput]?: unknown };

function databaseDefaults(
  stage: PresetStage,
  engine: DatabaseEngine,
  multiRegion: boolean,
): TaskflowConfigInput['database'] {
  if (engine === 'dsql') return { engine };
  return stage === 'prod'
    ? {
        engine,
        minCapacity: 0.5,
        maxCapacity: 16,
        readers: 1,
        proxy: true,
        backupRetentionDays: 14,
        performanceInsightsRetentionDays: 7,
        rotationDays: 30,
      }
    : {
        engine,
        // Auto-pause: a dev cluster nobody uses costs storage only (hence no proxy either). A
        // global database's primary cannot pause.
        minCapacity: multiRegion ? 0.5 : 0,
        maxCapacity: 2,
        readers: 0,
        proxy: false,
        backupRetentionDays: 1,
        performanceInsightsRetentionDays: 7,
        rotationDays: 30,
      };
}

/**
 * The preset of a stage for an engine. Regions default to the DSQL multi-region set the seed
 * uses (us-east-1 and us-east-2 peered, witness us-west-2), which Aurora global databases
 * support as well.
 */
export function preset(
  stage: PresetStage,
  engine: DatabaseEngine,
  multiRegion = false,
): TaskflowConfigInput {
  const prod = stage === 'prod';
  return {
    stage,
    projectName: 'taskflow',
    regions: { primary: 'us-east-1', secondary: 'us-east-2', witness: 'us-west-2' },
    multiRegion,
    database: databaseDefaults(stage, engine, multiRegion),
    deletionProtection: prod,
    lambda: {
      memoryMb: prod ? 1024 : 512,
      timeoutSeconds: 30,
      architecture: 'arm64',
      ...(prod ? { reservedConcurrency: 100 } : {}),
      provisionedConcurrency: prod ? 2 : 0,
      layerArns: [],
    },
    logRetentionDays: prod ? 90 : 7,
    network: {
      vpcCidr: '10.40.0.0/16',
      maxAzs: prod ? 3 : 2,
      natGateways: prod ? 2 : 1,
      allowedCidrs: [],
    },
    api: {
      corsOrigins: prod ? ['https://app.taskflow.example'] : ['*'],
      // Keys are not who a caller is (the tokens are), and a key in the board's public page
      // would protect nothing: the stage throttle, the WAF and the tokens bound every caller.
      // An API-only deployment may require keys; the board is then off (config.schema).
      apiKeyRequired: false,
      throttling: { rateLimit: 1_000, burstLimit: 2_000 },
      waf: prod,
      userPool: {
        selfSignUp: !prod,
        mfa: prod ? 'required' : 'optional',
        threatProtection: prod,
        cliSignIn: !prod,
        callbackUrls: prod
          ? ['https://app.taskflow.example/auth/callback']
          : ['http://localhost:4200/auth/callback'],
      },
    },
    realtime: {
      throttling: prod ? { rateLimit: 500, burstLimit: 1_000 } : { rateLimit: 50, burstLimit: 100 },
      delivery: { retryAttempts: 2, maxEventAgeSeconds: 300 },
    },
    web: {
      enabled: true,
      priceClass: prod ? 'PriceClass_All' : 'PriceClass_100',
      allowedCountries: [],
    },
    events: { archiveRetentionDays: prod ? 90 : 7 },
    alarms: {
      emails: [],
      httpsEndpoints: [],
      functionErrors: 5,
      durationPercentOfTimeout: 80,
      concurrencyPercent: 80,
      accountConcurrencyLimit: 1_000,
      // A dev outbox may wait on a paused Aurora cluster resuming; prod events go out in minutes.
      outboxLagSeconds: prod ? 300 : 900,
      // Dev traffic is a few people: a handful of 5xx is a high rate and not yet an incident.
      api5xxPercent: prod ? 1 : 5,
      api5xxMinRequests: prod ? 50 : 10,
      databaseCapacityPercent: 90,
    },
    deployment: { strategy: prod ? 'canary-10pct-5min' : 'all-at-once' },
    sampleData: !prod,
    tags: { project: 'taskflow', stage, 'cost-center': 'taskflow' },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges overrides onto a base: objects merge key by key, arrays and scalars replace. */
export function mergeConfig(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides ?? base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    merged[key] = mergeConfig(base[key], value);
  }
  return merged;
}

/**
 * A validated configuration: the stage's preset for the engine with overrides applied.
 * A database override that changes the engine starts from that engine's preset, so fields of
 * the other engine never leak into it.
 */
export function resolveConfig(
  stage: PresetStage,
  engine: DatabaseEngine,
  overrides: ConfigOverrides = {},
): TaskflowConfig {
  return parseConfig(mergeConfig(preset(stage, engine, overrides.multiRegion === true), overrides));
}

/** A small, valid configuration for tests: dev, one region, with overrides. */
export function getTestConfig(
  overrides: ConfigOverrides = {},
  engine: DatabaseEngine = 'aurora-postgresql',
): TaskflowConfig {
  return resolveConfig('dev', engine, {
    account: '111111111111',
    alarms: { emails: ['ops@taskflow.example'], httpsEndpoints: [] },
    ...overrides,
  });
}
