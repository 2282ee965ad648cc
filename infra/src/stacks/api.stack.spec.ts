import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type TaskflowConfig } from '../config/config.schema';
import { getTestConfig, preset, resolveConfig } from '../config/presets';
import { WAF_RATE_LIMIT_PER_ADDRESS } from '../constructs/api-web-acl.construct';
import { synthFixture } from '../testing/synth-fixture';
import { SECRET_VARIABLES, expectNagClean, regionAt } from '../testing/template-assertions';

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };
type Resources = Record<string, Resource>;

/** Variable names a secret value would travel in; only *_ARN names may appear. */
const ACCOUNT = '111111111111';
const CERTIFICATE_ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0b0c5d1e-1111-2222-3333-444455556666`;
const CUSTOM_DOMAIN = {
  domainName: 'api.taskflow.example',
  hostedZoneId: 'Z0123456789ABCDEF',
  hostedZoneName: 'taskflow.example',
  certificateArn: CERTIFICATE_ARN,
  healthChecks: true,
};

/** The primary foundation's distribution domain, as an api stack of its region imports it. */
const BOARD_DOMAIN = {
  'Fn::ImportValue': expect.stringMatching(
    /^taskflow-dev-foundation-us-east-1:ExportsOutputFnGetAttWebDistribution[0-9A-F]+DomainName[0-9A-F]+$/,
  ) as unknown,
};

/** `https://<board domain><path>`, as the template joins it. */
function boardUrl(path: string): unknown {
  return { 'Fn::Join': ['', ['https://', BOARD_DOMAIN, path]] };
}

function apiTemplate(config: TaskflowConfig, nag = true, index = 0) {
  const { app, stacks } = synthFixture(config, nag);
  const regionStacks = regionAt(stacks, index);
  return { app, stacks, regionStacks, template: Template.fromStack(regionStacks.api) };
}

/** The api function's environment (the only function with POWERTOOLS_SERVICE_NAME taskflow-api). */
function apiEnvironment(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
  const api = functions
    .map(
      (f) =>
        (f.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables,
    )
    .find((v) => v?.['POWERTOOLS_SERVICE_NAME'] === 'taskflow-api');
  if (api === undefined) throw new Error('no api function');
  return api;
}

function methods(template: Template): Resource[] {
  return Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);
}

/** `GET /health`, `OPTIONS /{proxy+}`, `ANY /` … from a method's resource reference. */
function methodKey(template: Template, method: Resource): string {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const resourceId = JSON.stringify(method.Properties?.['ResourceId']);
  const resource = Object.entries(resources).find(([id]) => resourceId.includes(`"Ref":"${id}"`));
  const path = resource === undefined ? '' : String(resource[1].Properties?.['PathPart']);
  return `${String(method.Properties?.['HttpMethod'])} /${path}`;
}

function keyRequirements(template: Template): Record<string, boolean> {
  return Object.fromEntries(
    methods(template).map((m) => [
      methodKey(template, m),
      m.Properties?.['ApiKeyRequired'] === true,
    ]),
  );
}

describe('ApiStack, dsql, one region (dev preset)', () => {
  const config = getTestConfig({}, 'dsql');
  const { app, stacks, regionStacks, template } = apiTemplate(config);

  it('sends the root and {proxy+}, every method and OPTIONS, to the live alias as a Lambda proxy', () => {
    // Prepare
    const all = methods(template);

    // Assess
    expect(Object.keys(keyRequirements(template)).sort()).toEqual([
      'ANY /',
      'ANY /health',
      'ANY /{proxy+}',
      'GET /health',
      'OPTIONS /',
      'OPTIONS /health',
      'OPTIONS /{proxy+}',
    ]);
    for (const method of all) {
      const integration = method.Properties?.['Integration'] as Record<string, unknown>;
      expect(integration['Type']).toBe('AWS_PROXY');
      expect(integration['IntegrationHttpMethod']).toBe('POST');
      const uri = JSON.stringify(integration['Uri']);
      expect(uri).toMatch(/\{"Ref":"ApiLiveAlias[0-9A-F]+"\}/);
      // Never the bare function ($LATEST would skip the alias's traffic shifting).
      expect(uri).not.toMatch(/"Fn::GetAtt":\["Api[0-9A-F]+","Arn"\]/);
      expect(method.Properties?.['AuthorizationType']).toBe('NONE');
    }
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('lets only API Gateway of this API invoke the alias, and never the bare function', () => {
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission') as Resources,
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.Properties?.['Principal']).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(p.Properties?.['FunctionName'])).toMatch(/"Ref":"ApiLiveAlias/);
      expect(JSON.stringify(p.Properties?.['SourceArn'])).toMatch(/"Ref":"GatewayRestApi/);
    }
  });

  it('is a regional, dual-stack API without an API key in dev', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'taskflow-dev-api',
      EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' },
      Policy: Match.absent(),
    });
    expect(Object.values(keyRequirements(template))).not.toContain(true);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    expect(Object.keys(template.findOutputs('ApiKeyId'))).toHaveLength(0);
  });

  it('names the stage after config.stage, traces, throttles as configured and logs JSON access lines', () => {
    // Prepare
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage') as Resources)[0];
    const accessLog = stage?.Properties?.['AccessLogSetting'] as { Format: string };

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 1_000,
          ThrottlingBurstLimit: 2_000,
          MetricsEnabled: true,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        },
      ],
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayAccessLogs'), 'Arn'] },
      },
    });
    const fields = JSON.parse(accessLog.Format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      status: '$context.status',
      integrationLatency: '$context.integrationLatency',
      apiKeyId: '$context.identity.apiKeyId',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('throttles with config.api.throttling', () => {
    const { template: custom } = apiTemplate(
      getTestConfig({ api: { throttling: { rateLimit: 50, burstLimit: 100 } } }, 'dsql'),
      false,
    );
    custom.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
  });

  it('leaves the account-level CloudWatch role to the foundation and creates the stage after it', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const roles = Object.values(template.findResources('AWS::IAM::Role') as Resources);
    expect(JSON.stringify(roles)).not.toContain('apigateway.amazonaws.com');
    const stage = regionStacks.api.restApi.stage;
    expect(stage.node.dependencies).toContain(regionStacks.foundation.apiGatewayAccount);
    expect(regionStacks.api.dependencies).toContain(regionStacks.foundation);
  });

  it('adds CORS headers to the answers API Gateway makes itself when any origin is allowed', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX'])
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
      });
  });

  it('tells the function the allowed origins, and to verify the user pool’s ID tokens by JWKS', () => {
    // Prepare
    const env = apiEnvironment(template);

    // Assess
    expect(env['CORS_ALLOWED_ORIGINS']).toBe('*');
    expect(env).toMatchObject({
      JWKS_URL: {
        'Fn::Join': [
          '',
          [
            'https://cognito-idp.us-east-1.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            expect.anything(),
            '/.well-known/jwks.json',
          ],
        ],
      },
      JWKS_ISSUER: {
        'Fn::Join': [
          '',
          ['https://cognito-idp.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', expect.anything()],
        ],
      },
    });
    const url = (env['JWKS_URL'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][3];
    expect(url).toEqual({ Ref: expect.stringMatching(/^UsersUserPool[0-9A-F]+$/) });
    expect(env['JWKS_AUDIENCE']).toEqual({
      Ref: expect.stringMatching(/^UsersUserPoolWebClient[0-9A-F]+$/),
    });
  });

  it('keeps every secret out of the function environment', () => {
    const env = apiEnvironment(template);
    for (const name of SECRET_VARIABLES) expect(env).not.toHaveProperty(name);
    expect(JSON.stringify(template.toJSON())).not.toMatch(
      /"SecretString":|"Value":"[A-Za-z0-9]{20,}"/,
    );
  });

  it('creates a user pool signing in by verified e-mail, with a strong password policy, open to sign-up in dev', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'taskflow-dev-users',
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
      DeletionProtection: 'INACTIVE',
    });
  });

  it('gives the web board a public client: authorization code (PKCE), no secret, Cognito sign-in', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      // dev: a password sign-in from the CLI, for the validation curls
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    });
    // The configured URL, and the web board's on its distribution.
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect((client as Resource).Properties).toMatchObject({
      CallbackURLs: ['http://localhost:4200/auth/callback', boardUrl('/auth/callback')],
      LogoutURLs: ['http://localhost:4200/', boardUrl('/')],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['taskflow-dev-', { Ref: 'AWS::AccountId' }]] },
    });
  });

  it('has no web ACL in dev', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('outputs the URL and ready-to-run validation commands', () => {
    const outputs = template.toJSON()['Outputs'] as Record<
      string,
      { Value: unknown; Description?: string }
    >;
    for (const name of [
      'ApiUrl',
      'HealthCommand',
      'MeCommand',
      'ApiFunctionName',
      'UserPoolId',
      'UserPoolClientId',
      'HostedUiDomain',
    ])
      expect(outputs).toHaveProperty(name);
    expect(JSON.stringify(outputs['HealthCommand']?.Value)).toMatch(
      /^\{"Fn::Join":\["",\["curl https:\/\/".*"\/health"\]\]\}$/,
    );
    expect(JSON.stringify(outputs['MeCommand']?.Value)).toContain(
      'curl -H \\"Authorization: Bearer <id token>\\" https://',
    );
    expect(JSON.stringify(outputs['MeCommand']?.Value)).toContain('/users/me');
    expect(outputs['MeCommand']?.Description).toMatch(/user pool/);
    expect(outputs).not.toHaveProperty('CustomDomainUrl');
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expect(stacks.regions).toHaveLength(1);
    expectNagClean(app);
  });
});

describe('ApiStack, aurora-postgresql, one region (prod preset, API keys on: no board)', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', {
    account: ACCOUNT,
    api: { apiKeyRequired: true },
    web: { enabled: false },
  });
  const { app, template } = apiTemplate(config);

  it('signs in only by SRP or the hosted UI in prod (no password sent to Cognito)', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    expect(Object.keys(clients)).toHaveLength(1);
    for (const client of Object.values(clients)) {
      const flows = (client as { Properties: { ExplicitAuthFlows?: string[] } }).Properties
        .ExplicitAuthFlows;
      expect(flows).toContain('ALLOW_USER_SRP_AUTH');
      expect(flows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    }
  });

  it('requires an API key on every method but GET /health and OPTIONS', () => {
    expect(keyRequirements(template)).toEqual({
      'ANY /': true,
      'OPTIONS /': false,
      'ANY /{proxy+}': true,
      'OPTIONS /{proxy+}': false,
      'ANY /health': true,
      'GET /health': false,
      'OPTIONS /health': false,
    });
  });

  it('has a usage plan on the stage with the configured throttle and one generated key', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 1_000, BurstLimit: 2_000 },
      ApiStages: [
        {
          ApiId: { Ref: Match.stringLikeRegexp('^GatewayRestApi') },
          Stage: { Ref: Match.stringLikeRegexp('^GatewayRestApiDeploymentStageprod') },
        },
      ],
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
      Enabled: true,
      Value: Match.absent(),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyType: 'API_KEY',
      KeyId: { Ref: Match.stringLikeRegexp('^GatewayApiKey') },
    });
  });

  it('outputs the key id and the command that prints its value', () => {
    const outputs = template.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(outputs['ApiKeyId']?.Value).toEqual({ Ref: expect.stringMatching(/^GatewayApiKey/) });
    expect(JSON.stringify(outputs['GetApiKeyCommand']?.Value)).toMatch(
      /"aws apigateway get-api-key --region us-east-1 --api-key ",\{"Ref":"GatewayApiKey[0-9A-F]+"\}," --include-value/,
    );
    expect(JSON.stringify(outputs['MeCommand']?.Value)).toContain(
      '-H \\"x-api-key: $(aws apigateway get-api-key',
    );
  });

  it('associates a web ACL with managed rules and a per-address rate limit with the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
          OverrideAction: { None: {} },
        }),
        Match.objectLike({
          Name: 'AWSManagedRulesKnownBadInputsRuleSet',
          OverrideAction: { None: {} },
        }),
        Match.objectLike({
          Name: 'RateLimitPerAddress',
          Statement: {
            RateBasedStatement: {
              Limit: WAF_RATE_LIMIT_PER_ADDRESS,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
            },
          },
          Action: { Block: {} },
        }),
      ],
    });
    const association = Object.values(
      template.findResources('AWS::WAFv2::WebACLAssociation') as Resources,
    )[0];
    expect(JSON.stringify(association?.Properties?.['ResourceArn'])).toMatch(
      /":apigateway:us-east-1::\/restapis\/",\{"Ref":"GatewayRestApi[0-9A-F]+"\},"\/stages\/",\{"Ref":"GatewayRestApiDeploymentStageprod/,
    );
    expect(association?.Properties?.['WebACLArn']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^WafWebAcl/), 'Arn'],
    });
  });

  it('closes sign-up, requires MFA, enforces threat protection and protects the pool from deletion', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
  });

  it('answers CORS for the one configured origin, on gateway answers too', () => {
    expect(apiEnvironment(template)['CORS_ALLOWED_ORIGINS']).toBe('https://app.taskflow.example');
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.taskflow.example'",
        'gatewayresponse.header.Vary': "'Origin'",
      },
    });
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('ApiStack options', () => {
  it('refuses callers outside config.network.allowedCidrs with a resource policy', () => {
    // Prepare
    const config = getTestConfig(
      { network: { allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'] } },
      'dsql',
    );

    // Act
    const { template } = apiTemplate(config, false);

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      // IPv4 ranges only: a dual-stack endpoint would let IPv6 callers fall outside every range.
      EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'ipv4' },
      Policy: {
        Statement: [
          {
            Sid: 'AllowInvoke',
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Principal: { AWS: '*' },
            Resource: 'execute-api:/*',
          },
          {
            Sid: 'DenyOutsideAllowedCidrs',
            Effect: 'Deny',
            Action: 'execute-api:Invoke',
            Principal: { AWS: '*' },
            Resource: 'execute-api:/*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } },
          },
        ],
      },
    });
  });

  it('redeploys the stage when the allowed ranges change (a resource policy applies on deployment)', () => {
    const deploymentOf = (cidrs: string[]) =>
      Object.keys(
        apiTemplate(
          getTestConfig({ network: { allowedCidrs: cidrs } }, 'dsql'),
          false,
        ).template.findResources('AWS::ApiGateway::Deployment'),
      )[0];
    expect(deploymentOf(['203.0.113.0/24'])).not.toBe(deploymentOf(['198.51.100.0/24']));
  });

  it('sends no CORS header on gateway answers when several origins are allowed (one answer cannot fit them all)', () => {
    const { template } = apiTemplate(
      getTestConfig(
        { api: { corsOrigins: ['https://a.example', 'https://b.example:8443'] } },
        'dsql',
      ),
      false,
    );
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
    // The configured origins, then the web board's.
    expect(apiEnvironment(template)['CORS_ALLOWED_ORIGINS']).toEqual({
      'Fn::Join': ['', ['https://a.example,https://b.example:8443,https://', BOARD_DOMAIN]],
    });
  });

  it.each([
    ['a path', ['https://app.example/']],
    ['* beside an origin', ['*', 'https://app.example']],
    ['upper case', ['https://App.example']],
  ])(
    'refuses corsOrigins with %s (the function would refuse it at cold start)',
    (_case, corsOrigins) => {
      expect(() => getTestConfig({ api: { corsOrigins } }, 'dsql')).toThrow(/api\.corsOrigins/);
    },
  );

  it('refuses an http callback URL other than localhost', () => {
    const input = preset('dev', 'dsql');
    expect(() =>
      parseConfig({
        ...input,
        api: {
          ...input.api,
          userPool: { ...input.api.userPool, callbackUrls: ['http://app.example/cb'] },
        },
      }),
    ).toThrow(/api\.userPool\.callbackUrls\.0/);
  });

  it('has cdk-nag clean dev aurora-postgresql and prod dsql shapes too', () => {
    expectNagClean(apiTemplate(getTestConfig({}, 'aurora-postgresql')).app);
    expectNagClean(apiTemplate(resolveConfig('prod', 'dsql', { account: ACCOUNT })).app);
  });
});

describe('ApiStack, two regions with a custom domain (prod preset)', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', {
    account: ACCOUNT,
    multiRegion: true,
    customDomain: CUSTOM_DOMAIN,
  });
  const { app, stacks } = synthFixture(config, true);
  const primary = Template.fromStack(regionAt(stacks, 0).api);
  const secondary = Template.fromStack(regionAt(stacks, 1).api);

  it.each([
    ['us-east-1', primary],
    ['us-east-2', secondary],
  ])(
    '%s: serves the shared name through a regional TLS 1.2 domain mapped to the stage',
    (_region, template) => {
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'api.taskflow.example',
        EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' },
        SecurityPolicy: 'TLS_1_2',
      });
      template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
        DomainName: { Ref: Match.stringLikeRegexp('^DomainDomainName') },
        RestApiId: { Ref: Match.stringLikeRegexp('^GatewayRestApi') },
        Stage: { Ref: Match.stringLikeRegexp('^GatewayRestApiDeploymentStageprod') },
      });
      expect(Object.keys(template.findOutputs('CustomDomainUrl'))).toHaveLength(1);
    },
  );

  it('uses the given certificate in its region and a DNS-validated one elsewhere', () => {
    primary.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    primary.hasResourceProperties('AWS::ApiGateway::DomainName', {
      RegionalCertificateArn: CERTIFICATE_ARN,
    });
    secondary.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.taskflow.example',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        { DomainName: 'api.taskflow.example', HostedZoneId: 'Z0123456789ABCDEF' },
      ],
    });
  });

  it.each([
    ['us-east-1', primary],
    ['us-east-2', secondary],
  ])(
    '%s: latency-routed A and AAAA aliases, health-checked on its own execute-api /<stage>/health',
    (name, template) => {
      for (const type of ['A', 'AAAA'])
        template.hasResourceProperties('AWS::Route53::RecordSet', {
          Name: 'api.taskflow.example.',
          Type: type,
          HostedZoneId: 'Z0123456789ABCDEF',
          Region: name,
          SetIdentifier: name,
          HealthCheckId: { Ref: Match.stringLikeRegexp('^DomainHealthCheck') },
          AliasTarget: {
            DNSName: {
              'Fn::GetAtt': [Match.stringLikeRegexp('^DomainDomainName'), 'RegionalDomainName'],
            },
            HostedZoneId: {
              'Fn::GetAtt': [Match.stringLikeRegexp('^DomainDomainName'), 'RegionalHostedZoneId'],
            },
          },
        });
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: {
          Type: 'HTTPS',
          Port: 443,
          EnableSNI: true,
          FullyQualifiedDomainName: {
            'Fn::Join': [
              '',
              [
                { Ref: Match.stringLikeRegexp('^GatewayRestApi') },
                `.execute-api.${name}.`,
                { Ref: 'AWS::URLSuffix' },
              ],
            ],
          },
          ResourcePath: {
            'Fn::Join': [
              '',
              [
                '/',
                { Ref: Match.stringLikeRegexp('^GatewayRestApiDeploymentStageprod') },
                '/health',
              ],
            ],
          },
          FailureThreshold: 3,
          RequestInterval: 30,
        },
      });
    },
  );

  it('keeps one user pool, in the primary region, whose tokens both regions verify', () => {
    primary.resourceCountIs('AWS::Cognito::UserPool', 1);
    secondary.resourceCountIs('AWS::Cognito::UserPool', 0);
    const env = apiEnvironment(secondary);
    expect(JSON.stringify(env['JWKS_ISSUER'])).toMatch(
      /"https:\/\/cognito-idp\.us-east-1\.",\{"Ref":"AWS::URLSuffix"\},"\/",\{"Fn::GetAtt":\["ExportsReader[0-9A-F]+","\/cdk\/exports\/.*UsersUserPool/,
    );
    expect(JSON.stringify(env['JWKS_AUDIENCE'])).toMatch(/ExportsReader.*UsersUserPoolWebClient/);
  });

  it('associates a web ACL in each region', () => {
    primary.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    secondary.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('ApiStack, custom domain with source ranges', () => {
  it('keeps /health open to Route 53’s checkers, publishes IPv4 only, and is cdk-nag clean (dsql)', () => {
    // Prepare
    const config = getTestConfig(
      {
        multiRegion: true,
        network: { allowedCidrs: ['203.0.113.0/24'] },
        customDomain: { ...CUSTOM_DOMAIN, certificateArn: undefined },
      },
      'dsql',
    );

    // Act
    const { app, template } = apiTemplate(config);

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyOutsideAllowedCidrs',
            NotResource: 'execute-api:/*/GET/health',
            Resource: Match.absent(),
          }),
        ]),
      },
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 1);
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 0);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      ValidationMethod: 'DNS',
    });
    expectNagClean(app);
  });
});

describe('ApiStack and the web board', () => {
  it('returns only to the configured URLs, and answers CORS only for the configured origins, without the board', () => {
    // Prepare
    const config = getTestConfig(
      { web: { enabled: false }, api: { corsOrigins: ['https://tasks.example'] } },
      'dsql',
    );

    // Act
    const { template } = apiTemplate(config, false);

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['http://localhost:4200/auth/callback'],
      LogoutURLs: ['http://localhost:4200/'],
    });
    expect(apiEnvironment(template)['CORS_ALLOWED_ORIGINS']).toBe('https://tasks.example');
  });

  it('answers CORS for the board in both regions, which read its origin from the primary foundation', () => {
    // Prepare
    const config = getTestConfig(
      { multiRegion: true, api: { corsOrigins: ['https://tasks.example'] } },
      'dsql',
    );

    // Act
    const { stacks } = synthFixture(config, false);
    const primary = Template.fromStack(regionAt(stacks, 0).api);
    const secondary = Template.fromStack(regionAt(stacks, 1).api);

    // Assess
    expect(apiEnvironment(primary)['CORS_ALLOWED_ORIGINS']).toEqual({
      'Fn::Join': ['', ['https://tasks.example,https://', BOARD_DOMAIN]],
    });
    // A cross-region reference: the secondary region reads the export through SSM.
    expect(JSON.stringify(apiEnvironment(secondary)['CORS_ALLOWED_ORIGINS'])).toMatch(
      /^\{"Fn::Join":\["",\["https:\/\/tasks\.example,https:\/\/",\{"Fn::GetAtt":\["ExportsReader[0-9A-F]+","\/cdk\/exports\/.*WebDistribution.*DomainName/,
    );
    secondary.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(stacks.web?.region).toBe('us-east-1');
  });
});
