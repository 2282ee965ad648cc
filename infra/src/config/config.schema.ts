import { z } from 'zod';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The database engines Taskflow deploys on; the application speaks PostgreSQL to both. */
export const DATABASE_ENGINES = ['aurora-postgresql', 'dsql'] as const;
/** A database engine name. */
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** Retention periods CloudWatch Logs accepts; any other number is refused by the service. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
] as const;

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region code such as us-east-1');

const auroraSchema = z.object({
  engine: z.literal('aurora-postgresql'),
  /** Aurora capacity units; 0 lets the cluster auto-pause (not with RDS Proxy or a global primary). */
  minCapacity: z.number().min(0).max(256).multipleOf(0.5),
  maxCapacity: z.number().min(1).max(256).multipleOf(0.5),
  /** Serverless v2 readers besides the writer; one in another AZ gives a failover target. */
  readers: z.number().int().min(0).max(15),
  /** RDS Proxy in front of the writer: pools the connections of many Lambda environments. */
  proxy: z.boolean(),
  backupRetentionDays: z.number().int().min(1).max(35),
  /** 7 days are free; 731 is the longest paid tier. */
  performanceInsightsRetentionDays: z.union([z.literal(7), z.literal(731)]),
  /** Days between automatic rotations of the master credentials. */
  rotationDays: z.number().int().min(1).max(365),
});

const dsqlSchema = z.object({ engine: z.literal('dsql') });

const lambdaVpcSchema = z.object({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)'),
  availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/)).min(1),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')).min(1),
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'))
    .min(1),
});

const lambdaSchema = z.object({
  memoryMb: z.number().int().min(128).max(10_240),
  timeoutSeconds: z.number().int().min(1).max(900),
  architecture: z.enum(['arm64', 'x86_64']),
  /** Reserved concurrency per function; unset shares the account's pool. */
  reservedConcurrency: z.number().int().min(1).optional(),
  /** Provisioned concurrency on the `live` alias of request-serving functions; 0 = none. */
  provisionedConcurrency: z.number().int().min(0),
  layerArns: z.array(
    z
      .string()
      .regex(
        /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/,
        'must be a layer version ARN',
      ),
  ),
  /** An existing VPC for the functions (DSQL only: Aurora deploys its own network). */
  vpc: lambdaVpcSchema.optional(),
});

const customDomainSchema = z.object({
  domainName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS name'),
  hostedZoneId: z.string().regex(/^Z[0-9A-Z]{5,32}$/, 'must be a Route 53 hosted zone id'),
  hostedZoneName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS name'),
  /**
   * ACM certificate of the name, used in the region it is in; every other region (and every
   * region when absent) gets its own DNS-validated certificate in the hosted zone.
   */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, 'must be an ACM ARN')
    .optional(),
  /** Route 53 health checks on each region's /health, for latency/failover routing. */
  healthChecks: z.boolean(),
});

/** Live updates: the WebSocket stage and the delivery of events to the broadcaster. */
const realtimeSchema = z.object({
  /** Steady rate and burst (per second) of the WebSocket stage's routes, `$connect` included. */
  throttling: z.object({
    rateLimit: z.number().int().min(1).max(10_000),
    burstLimit: z.number().int().min(1).max(5_000),
  }),
  /**
   * Retries and age limit of an event on its way to the broadcaster, applied to both hops
   * (EventBridge to Lambda, then Lambda's asynchronous queue to the function); Lambda's
   * asynchronous limits (0-2 retries, 60 s to 6 h) bound both. A live update older than the
   * age limit is dead-lettered: clients read the current state when they reconnect.
   */
  delivery: z.object({
    retryAttempts: z.number().int().min(0).max(2),
    maxEventAgeSeconds: z.number().int().min(60).max(21_600),
  }),
});

/** CloudFront's price classes: which edge locations serve the board (and bill for it). */
export const WEB_PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** The web board: a private S3 bucket behind CloudFront, in the primary region's foundation. */
const webSchema = z.object({
  /**
   * Deploy the board (the bucket and distribution in the primary foundation, the files and
   * `config.json` in the web stack). The board sends no API key: needs `api.apiKeyRequired` off.
   */
  enabled: z.boolean(),
  /** Edge locations that serve the board; PriceClass_100 is North America and Europe. */
  priceClass: z.enum(WEB_PRICE_CLASSES),
  /** Countries (ISO 3166-1 alpha-2) allowed to load the board; empty allows every country. */
  allowedCountries: z.array(
    z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE'),
  ),
});

/**
 * Everything a Taskflow deployment can be told, validated once before any construct exists.
 * Cross-field rules (regions, capacity, concurrency) are checked here too, so a wrong value
 * fails synth naming the field instead of failing a CloudFormation deployment later.
 */
export const TaskflowConfigSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9]{1,9}$/, 'must be 2-10 lower-case letters or digits'),
    projectName: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,18}[a-z0-9]$/, 'must be 3-20 lower-case letters, digits, hyphens'),
    /** Unset keeps the stacks account-agnostic (the CLI's credentials decide at deploy time). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    regions: z.object({
      primary: region,
      secondary: region.optional(),
      /** DSQL only: the region that holds the witness of a two-region cluster pair. */
      witness: region.optional(),
    }),
    multiRegion: z.boolean(),
    database: z.discriminatedUnion('engine', [auroraSchema, dsqlSchema]),
    deletionProtection: z.boolean(),
    lambda: lambdaSchema,
    logRetentionDays: z.literal(LOG_RETENTION_DAYS, {
      error: `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs' periods)`,
    }),
    network: z.object({
      /** Address range of the VPC the aurora-postgresql engine creates. */
      vpcCidr: z.cidrv4(),
      maxAzs: z.number().int().min(2).max(3),
      /**
       * NAT gateways of that VPC. At least one: the broadcaster must reach the API Gateway
       * Management API, which no interface endpoint serves.
       */
      natGateways: z.number().int().min(1).max(3),
      /** Source ranges allowed to call the REST API (resource policy); empty = anywhere. */
      allowedCidrs: z.array(z.cidrv4()),
    }),
    api: z.object({
      /**
       * Browser origins the API answers CORS for (`CORS_ALLOWED_ORIGINS` of the function), or
       * `*` alone. Origins as browsers send them (`scheme://host[:port]`, no path): the function
       * refuses anything else at its cold start.
       */
      corsOrigins: z
        .array(
          z.union([
            z.literal('*'),
            z
              .url({ protocol: /^https?$/ })
              .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'must be scheme://host[:port]'),
          ]),
        )
        .min(1)
        .refine((o) => !o.includes('*') || o.length === 1, '* allows any origin: use it alone'),
      apiKeyRequired: z.boolean(),
      throttling: z.object({
        rateLimit: z.number().int().min(1).max(10_000),
        burstLimit: z.number().int().min(1).max(5_000),
      }),
      /** A WAFv2 web ACL on the stage (AWS managed rules and a per-address rate limit). */
      waf: z.boolean(),
      /** The Cognito user pool whose ID tokens the API accepts (verified by JWKS). */
      userPool: z.object({
        selfSignUp: z.boolean(),
        mfa: z.enum(['optional', 'required']),
        /** The Plus feature plan with threat protection enforced (priced per active user). */
        threatProtection: z.boolean(),
        /**
         * Lets the web client sign in with USER_PASSWORD_AUTH as well as SRP, so that
         * `aws cognito-idp initiate-auth` gets a token for the validation curls (docs/deploy.md).
         * The password then travels to Cognito over TLS instead of being proven by SRP.
         */
        cliSignIn: z.boolean(),
        /** Where the hosted UI returns the web board's authorization code (https or localhost). */
        callbackUrls: z
          .array(
            z
              .url({ protocol: /^https?$/ })
              .refine(
                (u) => u.startsWith('https://') || /^http:\/\/localhost(:\d+)?\//.test(u),
                'must be https (http only for localhost)',
              ),
          )
          .min(1),
      }),
    }),
    realtime: realtimeSchema,
    web: webSchema,
    events: z.object({
      /** Days the event archive keeps events for replay. */
      archiveRetentionDays: z.number().int().min(1).max(3_650),
    }),
    alarms: z.object({
      emails: z.array(z.email()),
      httpsEndpoints: z.array(z.url({ protocol: /^https$/ })),
      /** A function's errors in 10 minutes above which it alarms (the seed's 5). */
      functionErrors: z.number().int().min(1).default(5),
      /** p99 duration, as a percentage of the function's timeout, above which it alarms. */
      durationPercentOfTimeout: z.number().min(1).max(100).default(80),
      /** Concurrent executions, as a percentage of the reserved (or account) limit. */
      concurrencyPercent: z.number().min(1).max(100).default(80),
      /** The region's Lambda concurrency quota, for functions without reserved concurrency. */
      accountConcurrencyLimit: z.number().int().min(10).default(1_000),
      /** Age of the oldest unpublished outbox event above which the relay alarms. */
      outboxLagSeconds: z.number().int().min(60).default(300),
      /** REST API 5xx responses, as a percentage of requests, above which it alarms. */
      api5xxPercent: z.number().min(0.1).max(100).default(1),
      /** Requests in 5 minutes below which the 5xx rate is not judged (too few to mean much). */
      api5xxMinRequests: z.number().int().min(1).default(20),
      /** Aurora Serverless v2 capacity, as a percentage of its maximum, held for 15 minutes. */
      databaseCapacityPercent: z.number().min(1).max(100).default(90),
    }),
    /** How a new function version takes traffic: CodeDeploy rolls back on the alarms. */
    deployment: z.object({
      strategy: z.enum(['all-at-once', 'canary-10pct-5min', 'linear-10pct-every-1min']),
    }),
    /** The seed's five users, created idempotently by the migrator. */
    sampleData: z.boolean(),
    customDomain: customDomainSchema.optional(),
    /** Cost allocation tags on every resource. */
    tags: z.record(
      z.string().regex(/^[\w.:/=+\-@ ]{1,128}$/, 'tag keys are 1-128 characters'),
      z.string().max(256),
    ),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const { primary, secondary, witness } = c.regions;
    if (c.multiRegion) {
      if (secondary === undefined) issue(['regions', 'secondary'], 'is required with multiRegion');
      else if (secondary === primary)
        issue(['regions', 'secondary'], 'must differ from regions.primary');
      if (c.database.engine === 'dsql') {
        if (witness === undefined) issue(['regions', 'witness'], 'is required for two-region DSQL');
        else if (witness === primary || witness === secondary)
          issue(['regions', 'witness'], 'must differ from the primary and secondary regions');
      }
    }
    if (c.database.engine === 'aurora-postgresql') {
      const db = c.database;
      if (db.maxCapacity < db.minCapacity)
        issue(['database', 'maxCapacity'], 'must be at least database.minCapacity');
      if (db.minCapacity === 0 && db.proxy)
        issue(['database', 'minCapacity'], 'must be at least 0.5 with RDS Proxy (no auto-pause)');
      if (db.minCapacity === 0 && c.multiRegion)
        issue(['database', 'minCapacity'], 'must be at least 0.5 in a global database');
      if (c.lambda.vpc !== undefined)
        issue(['lambda', 'vpc'], 'is for dsql only: aurora-postgresql deploys its own VPC');
    }
    const { reservedConcurrency, provisionedConcurrency } = c.lambda;
    if (reservedConcurrency !== undefined && provisionedConcurrency > reservedConcurrency)
      issue(['lambda', 'provisionedConcurrency'], 'must not exceed lambda.reservedConcurrency');
    if (c.web.enabled && c.api.apiKeyRequired)
      issue(['web', 'enabled'], 'the board sends no API key: needs api.apiKeyRequired false');
    if (c.customDomain?.healthChecks === true && !c.multiRegion)
      issue(['customDomain', 'healthChecks'], 'fail over between regions: needs multiRegion');
  });

/** A validated Taskflow deployment configuration. */
export type TaskflowConfig = z.output<typeof TaskflowConfigSchema>;
/** What a preset or a configuration file provides before validation. */
export type TaskflowConfigInput = z.input<typeof TaskflowConfigSchema>;
/** The Aurora part of {@link TaskflowConfig}. */
export type AuroraConfig = Extract<TaskflowConfig['database'], { engine: 'aurora-postgresql' }>;

/** An invalid configuration; the message names every field at fault. */
export class ConfigError extends Error {
  /** `path: message` per problem, e.g. `regions.witness: must differ from …`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid Taskflow configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates a configuration; throws {@link ConfigError} naming each field at fault. */
export function parseConfig(input: unknown): TaskflowConfig {
  const parsed = TaskflowConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
  );
}

/** The regions a configuration deploys to, primary first. */
export function deploymentRegions(config: TaskflowConfig): readonly string[] {
  const { primary, secondary } = config.regions;
  return config.multiRegion && secondary !== undefined ? [primary, secondary] : [primary];
}

/** The configured log retention as CDK's enum (the schema admits only CloudWatch's periods). */
export function logRetention(config: TaskflowConfig): RetentionDays {
  const days: number = config.logRetentionDays;
  const match = Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number')
    .find((v) => (v as number) === days);
  if (match === undefined)
    throw new ConfigError([`logRetentionDays: ${String(days)} is not a CloudWatch period`]);
  return match;
}
