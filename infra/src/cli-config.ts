import { readFileSync } from 'node:fs';
import { DATABASE_ENGINES, type DatabaseEngine, type TaskflowConfig } from './config/config.schema';
import { PRESET_STAGES, type PresetStage, resolveConfig } from './config/presets';

/**
 * The environment variable beside each context key: `nx affected -t deploy` runs one command
 * line for every app, so the stage and engine are easier to give once in the environment.
 */
export const CONTEXT_VARIABLES = {
  stage: 'TASKFLOW_STAGE',
  engine: 'TASKFLOW_ENGINE',
  multiRegion: 'TASKFLOW_MULTI_REGION',
  account: 'TASKFLOW_ACCOUNT',
  configFile: 'TASKFLOW_CONFIG_FILE',
} as const;

/** A wrong context value or variable: the CLI prints the message and stops. */
export class CliConfigError extends Error {}

function choice<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const text = typeof value === 'boolean' ? String(value) : value;
  if (typeof text === 'string' && (allowed as readonly string[]).includes(text)) return text as T;
  throw new CliConfigError(
    `${name}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
  );
}

/**
 * The configuration the CLI's context (`-c key=value`, which wins) or environment selects: a
 * preset by stage and engine, overridden by a JSON file, then by multiRegion and account.
 */
export function configFromCli(
  context: (key: string) => unknown,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): TaskflowConfig {
  const get = (key: keyof typeof CONTEXT_VARIABLES): unknown => {
    const fromContext = context(key);
    if (fromContext !== undefined) return fromContext;
    const value = env[CONTEXT_VARIABLES[key]];
    return value === undefined || value === '' ? undefined : value;
  };
  const stage: PresetStage = choice('stage', get('stage'), PRESET_STAGES, 'dev');
  const engine: DatabaseEngine = choice(
    'engine',
    get('engine'),
    DATABASE_ENGINES,
    'aurora-postgresql',
  );
  const file = get('configFile');
  let fromFile: unknown = {};
  if (file !== undefined) {
    if (typeof file !== 'string') throw new CliConfigError('configFile: must be a path');
    try {
      fromFile = JSON.parse(readFile(file));
    } catch (error) {
      throw new CliConfigError(
        `configFile: ${file} is not readable JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
      throw new CliConfigError(`configFile: ${file} must hold a JSON object`);
  }
  const multiRegion = get('multiRegion');
  const account = get('account');
  if (account !== undefined && typeof account !== 'string')
    throw new CliConfigError('account: must be a 12-digit account id');
  return resolveConfig(stage, engine, {
    ...(fromFile as Record<string, unknown>),
    ...(multiRegion === undefined
      ? {}
      : { multiRegion: choice('multiRegion', multiRegion, ['true', 'false'], 'false') === 'true' }),
    ...(account === undefined ? {} : { account }),
  });
}
