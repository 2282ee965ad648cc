import { z } from 'zod';
import { ConfigError } from './config.error';
import { CONFIG_RULES, type RawEnvironment } from './config.rules';
import {
  CONFIG_SECTIONS,
  type DatabaseAuth,
  type Environment,
  type HostSectionName,
  type LambdaSectionName,
  type SectionName,
  sectionVariables,
} from './config.schema';
import type { LambdaNeeds } from './lambda-needs';

/** Who parses: the host process, or a Lambda function. */
export type ConfigEntry = 'host' | 'lambda';

/** The host's sections of {@link CONFIG_SECTIONS}. */
export type HostEnvironment = Environment<HostSectionName>;
/** A Lambda function's sections of {@link CONFIG_SECTIONS}. */
export type LambdaEnvironment = Environment<LambdaSectionName>;

const SECTION_NAMES = Object.keys(CONFIG_SECTIONS) as SectionName[];

/** The sections an entry point parses, in {@link CONFIG_SECTIONS}' order. */
export function configSections(entry: ConfigEntry): readonly SectionName[] {
  return SECTION_NAMES.filter((name) =>
    entry === 'host' ? CONFIG_SECTIONS[name].host : CONFIG_SECTIONS[name].lambdas !== 'none',
  );
}

/** Every environment variable an entry point reads (a Lambda's: all the CDK app may set). */
export function configVariableNames(entry: ConfigEntry): readonly string[] {
  return configSections(entry).flatMap((name) => Object.keys(sectionVariables(name)));
}

/** What the host passes: defaults of its own under the environment (its commands log less). */
export interface HostParseOptions {
  readonly entry: 'host';
  readonly defaults?: Readonly<Record<string, string>>;
}

/** What a Lambda function passes: its needs, which make some variables required. */
export interface LambdaParseOptions {
  readonly entry: 'lambda';
  readonly needs?: LambdaNeeds;
}

/**
 * Parses an entry point's subset of the environment against the one schema, then checks the
 * rules across variables, and applies the defaults that depend on another variable. Unset and
 * empty variables are alike. Throws a {@link ConfigError} listing every problem found: the
 * schema's first, else the rules'.
 */
export function parseEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: HostParseOptions,
): HostEnvironment;
export function parseEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: LambdaParseOptions,
): LambdaEnvironment;
export function parseEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: HostParseOptions | LambdaParseOptions,
): HostEnvironment | LambdaEnvironment {
  const sections = configSections(options.entry);
  const defined: Record<string, string> = {
    ...(options.entry === 'host' ? options.defaults : undefined),
    ...Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => {
        const value = entry[1];
        return value !== undefined && value !== '';
      }),
    ),
  };
  const parsed = schemaOf(options.entry).safeParse(defined);
  if (!parsed.success)
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const values: Readonly<Record<string, unknown>> = parsed.data;
  const raw = Object.fromEntries(
    sections.map((name) => [
      name,
      Object.fromEntries(Object.keys(sectionVariables(name)).map((v) => [v, values[v]])),
    ]),
  ) as RawEnvironment;
  const context = {
    given: new Set(Object.keys(defined)),
    needs: options.entry === 'lambda' ? (options.needs ?? {}) : {},
  };
  const problems = CONFIG_RULES.filter((r) =>
    r.sections.every((s) => sections.includes(s)),
  ).flatMap((r) => r.check(raw, context));
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  // Every section of the entry was parsed above; only the derived defaults are missing.
  return withDerivedDefaults(raw) as HostEnvironment | LambdaEnvironment;
}

const schemas = new Map<ConfigEntry, z.ZodType<Record<string, unknown>>>();

function schemaOf(entry: ConfigEntry): z.ZodType<Record<string, unknown>> {
  let schema = schemas.get(entry);
  if (schema === undefined) {
    schema = z.object(
      Object.fromEntries(
        configSections(entry).flatMap((name) =>
          Object.entries(sectionVariables(name)).map(([v, spec]) => [v, spec.schema]),
        ),
      ),
    );
    schemas.set(entry, schema);
  }
  return schema;
}

/**
 * `DATABASE_SSL` and `DATABASE_DIALECT` default from `DATABASE_AUTH` (the host has only `url`):
 * credentials from Secrets Manager or IAM mean a managed database reached over verified TLS,
 * a URL means a local or test database.
 */
function withDerivedDefaults(raw: RawEnvironment): RawEnvironment {
  if (raw.database === undefined) return raw;
  const auth: DatabaseAuth = raw.databaseAccess?.DATABASE_AUTH ?? 'url';
  return {
    ...raw,
    database: {
      ...raw.database,
      DATABASE_SSL: raw.database.DATABASE_SSL ?? (auth === 'url' ? 'disable' : 'verify'),
      DATABASE_DIALECT:
        raw.database.DATABASE_DIALECT ?? (auth === 'dsql-iam' ? 'dsql' : 'postgres'),
    },
  };
}
