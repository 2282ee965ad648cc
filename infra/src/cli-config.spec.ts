import { CliConfigError, configFromCli } from './cli-config';
import { ConfigError } from './config/config.schema';

const none = (): undefined => undefined;
const context =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('configFromCli', () => {
  it('defaults to the dev preset on aurora-postgresql in one region', () => {
    const config = configFromCli(none, {});
    expect(config).toMatchObject({
      stage: 'dev',
      multiRegion: false,
      database: { engine: 'aurora-postgresql' },
    });
  });

  it('takes the stage, engine and regions from the environment, for nx affected', () => {
    const config = configFromCli(none, {
      TASKFLOW_STAGE: 'prod',
      TASKFLOW_ENGINE: 'dsql',
      TASKFLOW_MULTI_REGION: 'true',
      TASKFLOW_ACCOUNT: '123456789012',
    });
    expect(config).toMatchObject({
      stage: 'prod',
      multiRegion: true,
      account: '123456789012',
      database: { engine: 'dsql' },
    });
  });

  it('lets context win over the environment', () => {
    const config = configFromCli(context({ stage: 'dev', multiRegion: false }), {
      TASKFLOW_STAGE: 'prod',
      TASKFLOW_MULTI_REGION: 'true',
    });
    expect(config).toMatchObject({ stage: 'dev', multiRegion: false });
  });

  it('applies a configuration file over the preset, then validates it naming the field', () => {
    const file = JSON.stringify({ lambda: { memoryMb: 2048 }, logRetentionDays: 30 });
    expect(
      configFromCli(context({ configFile: 'taskflow.json' }), {}, () => file).lambda.memoryMb,
    ).toBe(2048);
    const bad = JSON.stringify({ lambda: { memoryMb: 64 } });
    expect(() => configFromCli(context({ configFile: 'bad.json' }), {}, () => bad)).toThrow(
      ConfigError,
    );
    expect(() => configFromCli(context({ configFile: 'bad.json' }), {}, () => bad)).toThrow(
      /lambda\.memoryMb/,
    );
  });

  it.each([
    [{ stage: 'staging' }, /stage: must be one of dev, prod/],
    [{ engine: 'mysql' }, /engine: must be one of aurora-postgresql, dsql/],
    [{ multiRegion: 'yes' }, /multiRegion: must be one of true, false/],
    [{ configFile: 'x.json' }, /configFile: x\.json is not readable JSON/],
  ])('refuses %j with a message naming it', (values, message) => {
    expect(() =>
      configFromCli(context(values), {}, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(message);
    expect(() =>
      configFromCli(context(values), {}, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(CliConfigError);
  });

  it('refuses a configuration file that is not an object', () => {
    expect(() => configFromCli(context({ configFile: 'a.json' }), {}, () => '[1]')).toThrow(
      /must hold a JSON object/,
    );
  });
});
