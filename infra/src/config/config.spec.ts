import { ConfigError, parseConfig } from './config.schema';
import { getTestConfig, mergeConfig, preset, resolveConfig } from './presets';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Taskflow configuration', () => {
  it.each([
    ['dev', 'aurora-postgresql', false],
    ['dev', 'dsql', true],
    ['prod', 'aurora-postgresql', true],
    ['prod', 'dsql', false],
  ] as const)('the %s preset for %s (multiRegion %s) is valid', (stage, engine, multiRegion) => {
    // Act
    const config = resolveConfig(stage, engine, { multiRegion });

    // Assess
    expect(config.stage).toBe(stage);
    expect(config.database.engine).toBe(engine);
    expect(config.multiRegion).toBe(multiRegion);
  });

  it('prod differs from dev where it protects data and users', () => {
    // Act
    const dev = resolveConfig('dev', 'aurora-postgresql');
    const prod = resolveConfig('prod', 'aurora-postgresql');

    // Assess
    expect([dev.deletionProtection, prod.deletionProtection]).toEqual([false, true]);
    expect(prod.logRetentionDays).toBeGreaterThan(dev.logRetentionDays);
    expect(prod.lambda.provisionedConcurrency).toBeGreaterThan(0);
    expect(prod.deployment.strategy).not.toBe('all-at-once');
    expect(prod.api.waf).toBe(true);
    expect(prod.database.engine === 'aurora-postgresql' && prod.database.proxy).toBe(true);
    // The board is served in both; it sends no API key, so neither requires one.
    expect([dev.web.enabled, prod.web.enabled]).toEqual([true, true]);
    expect([dev.api.apiKeyRequired, prod.api.apiKeyRequired]).toEqual([false, false]);
  });

  it.each([
    ['regions.witness', { multiRegion: true, regions: { witness: 'us-east-1' } }, 'dsql'],
    ['regions.witness', { multiRegion: true, regions: { witness: 'us-east-2' } }, 'dsql'],
    ['regions.secondary', { multiRegion: true, regions: { secondary: 'us-east-1' } }, 'dsql'],
    ['regions.primary', { regions: { primary: 'Virginia' } }, 'dsql'],
    ['lambda.memoryMb', { lambda: { memoryMb: 64 } }, 'dsql'],
    ['lambda.architecture', { lambda: { architecture: 'arm' } }, 'dsql'],
    [
      'lambda.provisionedConcurrency',
      { lambda: { reservedConcurrency: 2, provisionedConcurrency: 3 } },
      'dsql',
    ],
    ['logRetentionDays', { logRetentionDays: 10 }, 'dsql'],
    ['account', { account: '12345' }, 'dsql'],
    ['network.allowedCidrs.0', { network: { allowedCidrs: ['10.0.0.0/33'] } }, 'dsql'],
    ['api.corsOrigins.0', { api: { corsOrigins: ['ftp://x.example'] } }, 'dsql'],
    ['alarms.emails.0', { alarms: { emails: ['not-an-email'] } }, 'dsql'],
    // The board sends no API key: it cannot call an API that wants one.
    ['web.enabled', { web: { enabled: true }, api: { apiKeyRequired: true } }, 'dsql'],
    ['web.priceClass', { web: { priceClass: 'PriceClass_50' } }, 'dsql'],
    ['web.allowedCountries.0', { web: { allowedCountries: ['de'] } }, 'dsql'],
    ['database.maxCapacity', { database: { minCapacity: 4, maxCapacity: 2 } }, 'aurora-postgresql'],
    ['database.minCapacity', { database: { minCapacity: 0, proxy: true } }, 'aurora-postgresql'],
    [
      'lambda.vpc',
      {
        lambda: {
          vpc: {
            vpcId: 'vpc-0123456789abcdef0',
            availabilityZones: ['us-east-1a'],
            subnetIds: ['subnet-0123456789abcdef0'],
            securityGroupIds: ['sg-0123456789abcdef0'],
          },
        },
      },
      'aurora-postgresql',
    ],
    [
      'customDomain.healthChecks',
      {
        customDomain: {
          domainName: 'api.example.com',
          hostedZoneId: 'Z123456ABCDEF',
          hostedZoneName: 'example.com',
          healthChecks: true,
        },
      },
      'dsql',
    ],
  ] as const)('names %s when it is wrong', (field, overrides, engine) => {
    // Act
    const problems = problemsOf(() => resolveConfig('dev', engine, overrides));

    // Assess
    expect(problems.map((p) => p.split(':')[0])).toContain(field);
  });

  it('refuses a configuration missing a field, naming it', () => {
    // Prepare
    const rest: Record<string, unknown> = { ...preset('dev', 'dsql') };
    delete rest['stage'];

    // Act
    const problems = problemsOf(() => parseConfig(rest));

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^stage: /)]);
  });

  it('merges objects key by key and replaces arrays', () => {
    // Act
    const merged = mergeConfig({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } });

    // Assess
    expect(merged).toEqual({ a: { b: 1, c: [3] }, d: 1 });
  });

  it('getTestConfig gives a valid single-region dev configuration with an alarm e-mail', () => {
    // Act
    const config = getTestConfig({}, 'dsql');

    // Assess
    expect(config).toMatchObject({
      stage: 'dev',
      multiRegion: false,
      alarms: { emails: ['ops@taskflow.example'] },
    });
  });
});
