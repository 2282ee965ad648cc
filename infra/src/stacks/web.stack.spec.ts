import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { WAF_RATE_LIMIT_PER_ADDRESS } from '../constructs/api-web-acl.construct';
import { LAMBDA_APPS, lambdaAppFolder } from '../constructs/taskflow-function.construct';
import { BOARD_INVALIDATION_PATHS } from '../constructs/web-deployment.construct';
import {
  IMMUTABLE_CACHE_CONTROL,
  REVALIDATE_CACHE_CONTROL,
} from '../constructs/web-hosting.construct';
import { SPA_FALLBACK_FUNCTION_CODE } from '../constructs/web-spa-fallback.function';
import { buildTaskflowApp } from '../taskflow-app';
import { FAKE_WEB_SCRIPT, synthFixture } from '../testing/synth-fixture';
import { expectNagClean, logicalIdOf, type Resources } from '../testing/template-assertions';

type Json = Record<string, unknown>;

/** The board's fixture: the primary foundation's template (hosting) and the web stack's. */
function boardFixture(config: TaskflowConfig, nag = true) {
  const { app, stacks } = synthFixture(config, nag);
  const [foundation] = stacks.foundations;
  const { web } = stacks;
  if (foundation === undefined || web === null) throw new Error('no web board in this shape');
  return {
    app,
    stacks,
    web,
    hosting: Template.fromStack(foundation),
    template: Template.fromStack(web),
  };
}

/** The one resource of a type in a template (throws when there are more or none). */
function only(template: Template, type: string): { id: string; props: Json } {
  const found = Object.entries(template.findResources(type) as Resources);
  const [first] = found;
  if (first === undefined || found.length !== 1)
    throw new Error(`${String(found.length)} resources of type ${type}`);
  return { id: first[0], props: first[1].Properties ?? {} };
}

function distributionConfig(hosting: Template): Json {
  return only(hosting, 'AWS::CloudFront::Distribution').props['DistributionConfig'] as Json;
}

/** A response headers policy by the Cache-Control it sets. */
function headersPolicyWith(hosting: Template, cacheControl: string): { id: string; config: Json } {
  const policies = hosting.findResources('AWS::CloudFront::ResponseHeadersPolicy') as Resources;
  for (const [id, { Properties }] of Object.entries(policies)) {
    const config = Properties?.['ResponseHeadersPolicyConfig'] as Json;
    if (JSON.stringify(config['CustomHeadersConfig']).includes(`"Value":"${cacheControl}"`))
      return { id, config };
  }
  throw new Error(`no headers policy with Cache-Control ${cacheControl}`);
}

/** The CSP of a headers policy, with its tokens spelled `{AWS::URLSuffix}` and `{AWS::AccountId}`. */
function cspOf(config: Json): string {
  const security = config['SecurityHeadersConfig'] as {
    ContentSecurityPolicy: { ContentSecurityPolicy: unknown };
  };
  const value = security.ContentSecurityPolicy.ContentSecurityPolicy;
  if (typeof value === 'string') return value;
  const [, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : `{${(p as { Ref: string }).Ref}}`)).join('');
}

/** The web stack's BucketDeployment custom resources, by construct id (`Assets`, `Pages`). */
function deployments(template: Template): Record<string, { id: string; resource: Json }> {
  const found = template.findResources('Custom::CDKBucketDeployment') as Record<string, Json>;
  return Object.fromEntries(
    Object.entries(found).map(([id, resource]) => [
      id.startsWith('BoardAssets') ? 'Assets' : 'Pages',
      { id, resource },
    ]),
  );
}

/**
 * config.json as it will be written: the staged file of the Pages deployment's second source,
 * every string split into its literal parts and the deploy-time values of its markers.
 */
function deployedBoardConfig(app: App, template: Template): unknown {
  const pages = deployments(template)['Pages']?.resource['Properties'] as {
    SourceObjectKeys: string[];
    SourceMarkers: Record<string, unknown>[];
  };
  const hash = (pages.SourceObjectKeys[1] ?? '').replace(/\.zip$/, '');
  const markers = pages.SourceMarkers[1] ?? {};
  const text = readFileSync(join(app.outdir, `asset.${hash}`, 'config.json'), 'utf8');
  const split = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const parts = value
        .split(/(<<marker:0xbaba:\d+>>)/)
        .filter((p) => p !== '')
        .map((p) => (p in markers ? markers[p] : p));
      return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts;
    }
    if (Array.isArray(value)) return value.map(split);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, split(v)]));
    return value;
  };
  return split(JSON.parse(text));
}

/** An export of a primary-region stack (`api` unless told), as the web stack imports it. */
function apiExport(logicalIdPrefix: string, stack = 'api'): unknown {
  return {
    'Fn::ImportValue': expect.stringMatching(
      new RegExp(`^taskflow-dev-${stack}-us-east-1:ExportsOutputRef${logicalIdPrefix}[0-9A-F]+$`),
    ),
  };
}

describe('the web board, dev preset (dsql, one region)', () => {
  const config = getTestConfig({}, 'dsql');
  const { app, stacks, web, hosting, template } = boardFixture(config);

  describe('hosting, in the primary foundation', () => {
    it('keeps the files in a private, encrypted, TLS-only bucket without website hosting, logging its access', () => {
      const site = hosting.findResources('AWS::S3::Bucket', {
        Properties: { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
      }) as Resources;
      const [siteId, bucket] = Object.entries(site)[0] ?? [];
      expect(Object.keys(site)).toHaveLength(1);
      expect(bucket?.Properties).toEqual({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: expect.stringMatching(/^WebLogs/) },
          LogFilePrefix: 's3/',
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        Tags: expect.any(Array),
      });
      expect(siteId).toMatch(/^WebSite/);
      hosting.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    });

    it('lets only this distribution read the bucket (Origin Access Control), and nothing in over plain HTTP', () => {
      // Prepare
      const distributionId = only(hosting, 'AWS::CloudFront::Distribution').id;
      const policies = hosting.findResources('AWS::S3::BucketPolicy') as Resources;
      const sitePolicy = Object.values(policies).find((p) =>
        JSON.stringify(p.Properties?.['Bucket']).includes('WebSite'),
      );

      // Assess
      const statements = (sitePolicy?.Properties?.['PolicyDocument'] as { Statement: Json[] })
        .Statement;
      expect(statements).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^WebSite/), 'Arn'] }, '/*']],
          },
          Condition: {
            StringEquals: {
              'AWS:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudfront::',
                    { Ref: 'AWS::AccountId' },
                    ':distribution/',
                    { Ref: distributionId },
                  ],
                ],
              },
            },
          },
        },
      ]);
      hosting.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: {
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        },
      });
      const [origin, ...others] = distributionConfig(hosting)['Origins'] as Json[];
      expect(others).toEqual([]);
      expect(origin).toMatchObject({
        DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^WebSite/), 'RegionalDomainName'] },
        OriginAccessControlId: {
          'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'],
        },
        S3OriginConfig: { OriginAccessIdentity: '' },
      });
    });

    it('serves index.html at the root, HTTPS only, routes through the SPA fallback, and never rewrites errors', () => {
      // Prepare
      const dist = distributionConfig(hosting);
      const fn = only(hosting, 'AWS::CloudFront::Function');

      // Assess
      expect(dist).toMatchObject({
        DefaultRootObject: 'index.html',
        HttpVersion: 'http2and3',
        IPV6Enabled: true,
        PriceClass: 'PriceClass_100',
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          Compress: true,
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn.id, 'FunctionARN'] } },
          ],
        },
        Logging: {
          Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^WebLogs/), 'RegionalDomainName'] },
          Prefix: 'cloudfront/',
          IncludeCookies: false,
        },
      });
      expect(dist).not.toHaveProperty('CustomErrorResponses');
      expect(dist).not.toHaveProperty('Restrictions');
      expect(dist).not.toHaveProperty('WebACLId');
      expect(fn.props).toMatchObject({
        FunctionCode: SPA_FALLBACK_FUNCTION_CODE,
        FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
        AutoPublish: true,
      });
    });

    it('caches /assets/* for a year as immutable, and revalidates everything else', () => {
      // Prepare
      const dist = distributionConfig(hosting);
      const pages = headersPolicyWith(hosting, REVALIDATE_CACHE_CONTROL);
      const assets = headersPolicyWith(hosting, IMMUTABLE_CACHE_CONTROL);
      const cachePolicies = hosting.findResources('AWS::CloudFront::CachePolicy') as Resources;
      const ttlOf = (id: unknown): unknown => {
        const c = cachePolicies[(id as { Ref: string }).Ref]?.Properties?.[
          'CachePolicyConfig'
        ] as Json;
        return [c['MinTTL'], c['DefaultTTL'], c['MaxTTL']];
      };
      const defaults = dist['DefaultCacheBehavior'] as Json;
      const behaviours = dist['CacheBehaviors'] as Json[];

      // Assess
      expect(IMMUTABLE_CACHE_CONTROL).toBe('public, max-age=31536000, immutable');
      expect(REVALIDATE_CACHE_CONTROL).toBe('no-cache');
      expect(behaviours.map((b) => b['PathPattern'])).toEqual(['/assets/*']);
      const [assetBehaviour] = behaviours;
      expect(assetBehaviour).toMatchObject({
        ViewerProtocolPolicy: 'redirect-to-https',
        ResponseHeadersPolicyId: { Ref: assets.id },
        Compress: true,
      });
      expect(assetBehaviour).not.toHaveProperty('FunctionAssociations');
      expect(ttlOf(assetBehaviour?.['CachePolicyId'])).toEqual([
        31_536_000, 31_536_000, 31_536_000,
      ]);
      expect(defaults['ResponseHeadersPolicyId']).toEqual({ Ref: pages.id });
      expect(ttlOf(defaults['CachePolicyId'])).toEqual([0, 0, 86_400]);
      for (const policy of Object.values(cachePolicies))
        expect(policy.Properties?.['CachePolicyConfig']).toMatchObject({
          ParametersInCacheKeyAndForwardedToOrigin: {
            CookiesConfig: { CookieBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
            EnableAcceptEncodingGzip: true,
            EnableAcceptEncodingBrotli: true,
          },
        });
    });

    it.each([REVALIDATE_CACHE_CONTROL, IMMUTABLE_CACHE_CONTROL])(
      'adds the security headers to every answer (Cache-Control %s)',
      (cacheControl) => {
        // Prepare
        const { config: policy } = headersPolicyWith(hosting, cacheControl);

        // Assess
        expect(policy['SecurityHeadersConfig']).toMatchObject({
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 63_072_000,
            IncludeSubdomains: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          ContentSecurityPolicy: { Override: true },
        });
        expect(cspOf(policy)).toBe(
          [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            // The APIs' ids are not known yet (the api and realtime stacks come after): any REST
            // API and any WebSocket API of the primary region; the hosted UI's origin exactly.
            "connect-src 'self' https://*.execute-api.us-east-1.{AWS::URLSuffix} wss://*.execute-api.us-east-1.{AWS::URLSuffix} https://taskflow-dev-{AWS::AccountId}.auth.us-east-1.amazoncognito.com",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            'upgrade-insecure-requests',
          ].join('; '),
        );
        expect(policy['CustomHeadersConfig']).toEqual({
          Items: expect.arrayContaining([
            { Header: 'Cache-Control', Value: cacheControl, Override: true },
          ]) as unknown,
        });
      },
    );

    it('exports the bucket’s ARN under a name of its own and outputs the bucket and distribution', () => {
      const outputs = hosting.toJSON()['Outputs'] as Record<string, Json>;
      expect(Object.values(outputs)).toContainEqual({
        Value: { 'Fn::GetAtt': [expect.stringMatching(/^WebSite/), 'Arn'] },
        Export: { Name: 'taskflow-dev-web-bucket-arn' },
      });
      expect(outputs).toHaveProperty('WebBucketName');
      expect(outputs).toHaveProperty('WebDistributionId');
    });
  });

  describe('the web stack', () => {
    it('comes after the foundation, the api and the realtime stack of the primary region', () => {
      const [primary] = stacks.regions;
      expect(web.stackName).toBe('taskflow-dev-web-us-east-1');
      expect(web.dependencies).toEqual(
        expect.arrayContaining([stacks.foundations[0], primary?.api, primary?.realtime]),
      );
      // No stack of the region refers back to the web stack: it is deployed last.
      for (const stack of [stacks.foundations[0], primary?.api, primary?.realtime])
        expect(stack?.dependencies).not.toContain(web);
    });

    it('uploads the hashed assets first and never prunes them, then the pages, pruning the rest and invalidating index.html and config.json', () => {
      // Prepare
      const { Assets: assets, Pages: pages } = deployments(template);
      const bucketName = {
        'Fn::Select': [
          0,
          {
            'Fn::Split': [
              '/',
              {
                'Fn::Select': [
                  5,
                  { 'Fn::Split': [':', { 'Fn::ImportValue': 'taskflow-dev-web-bucket-arn' }] },
                ],
              },
            ],
          },
        ],
      };

      // Assess
      expect(Object.keys(deployments(template)).sort()).toEqual(['Assets', 'Pages']);
      expect(assets?.resource['Properties']).toMatchObject({
        DestinationBucketName: bucketName,
        DestinationBucketKeyPrefix: 'assets/',
        Prune: false,
      });
      expect(assets?.resource['Properties']).not.toHaveProperty('DistributionId');
      expect(pages?.resource['Properties']).toMatchObject({
        DestinationBucketName: bucketName,
        Prune: true,
        Exclude: ['assets/*'],
        DistributionId: {
          'Fn::ImportValue': expect.stringMatching(
            /^taskflow-dev-foundation-us-east-1:ExportsOutputRefWebDistribution/,
          ),
        },
        DistributionPaths: [...BOARD_INVALIDATION_PATHS],
        WaitForDistributionInvalidation: true,
      });
      expect(BOARD_INVALIDATION_PATHS).toEqual(['/index.html', '/config.json']);
      expect(pages?.resource['Properties']).not.toHaveProperty('DestinationBucketKeyPrefix');
      expect(pages?.resource['DependsOn']).toEqual(expect.arrayContaining([assets?.id]));
    });

    it('uploads the build’s assets/ under assets/, and the pages without them', () => {
      // Prepare
      const { Assets: assets, Pages: pages } = deployments(template);
      const staged = (deployment: { resource: Json } | undefined): string[] => {
        const keys = (deployment?.resource['Properties'] as { SourceObjectKeys: string[] })
          .SourceObjectKeys;
        const hash = (keys[0] ?? '').replace(/\.zip$/, '');
        return readdirSync(join(app.outdir, `asset.${hash}`)).sort();
      };

      // Assess
      expect(staged(assets)).toEqual([FAKE_WEB_SCRIPT]);
      expect(staged(pages)).toEqual(['index.html']);
    });

    it('writes config.json with the API’s URL, the WebSocket stage’s and the user pool’s web client, resolved at deploy time', () => {
      expect(deployedBoardConfig(app, template)).toEqual({
        apiUrl: [
          'https://',
          apiExport('GatewayRestApi'),
          '.execute-api.us-east-1.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          apiExport('GatewayRestApiDeploymentStagedev'),
        ],
        // The REST API's SSE route answers 501 on AWS: the board follows projects here.
        liveUrl: [
          'wss://',
          apiExport('WebSocketApi', 'realtime'),
          '.execute-api.us-east-1.',
          { Ref: 'AWS::URLSuffix' },
          '/dev',
        ],
        auth: {
          kind: 'oidc',
          authorizeUrl: [
            'https://',
            apiExport('UsersUserPoolHostedUi'),
            '.auth.us-east-1.amazoncognito.com/oauth2/authorize',
          ],
          tokenUrl: [
            'https://',
            apiExport('UsersUserPoolHostedUi'),
            '.auth.us-east-1.amazoncognito.com/oauth2/token',
          ],
          logoutUrl: [
            'https://',
            apiExport('UsersUserPoolHostedUi'),
            '.auth.us-east-1.amazoncognito.com/logout',
          ],
          clientId: [apiExport('UsersUserPoolWebClient')],
          scopes: ['openid', 'email', 'profile'],
        },
      });
    });

    it('gives the upload handler a role and a log group of its own, with the log retention', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalIdOf(web.deployment.role), 'Arn'] },
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^BoardLogs') } },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
      const roles = Object.values(template.findResources('AWS::IAM::Role') as Resources);
      expect(roles).toHaveLength(1);
      expect(roles[0]?.Properties).not.toHaveProperty('ManagedPolicyArns');
    });

    it('outputs the board’s URL', () => {
      const outputs = template.toJSON()['Outputs'] as Record<string, Json>;
      expect(outputs['BoardUrl']?.['Value']).toEqual({
        'Fn::Join': [
          '',
          [
            'https://',
            {
              'Fn::ImportValue': expect.stringMatching(
                /^taskflow-dev-foundation-us-east-1:ExportsOutputFnGetAttWebDistribution[0-9A-F]+DomainName/,
              ),
            },
            '/',
          ],
        ],
      });
    });
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('the web board, options', () => {
  it('calls the custom domain, behind a CloudFront web ACL, from the allowed countries only', () => {
    // Prepare
    const config = getTestConfig(
      {
        api: { waf: true },
        web: { allowedCountries: ['DE', 'FR'] },
        customDomain: {
          domainName: 'api.taskflow.example',
          hostedZoneId: 'Z0123456789ABCDEF',
          hostedZoneName: 'taskflow.example',
          healthChecks: false,
        },
      },
      'dsql',
    );

    // Act
    const { app, hosting, template } = boardFixture(config);

    // Assess
    expect(cspOf(headersPolicyWith(hosting, REVALIDATE_CACHE_CONTROL).config)).toContain(
      // The custom domain maps the REST API only: the WebSocket API keeps its pattern.
      "connect-src 'self' https://api.taskflow.example wss://*.execute-api.us-east-1.{AWS::URLSuffix} https://taskflow-dev-",
    );
    expect(deployedBoardConfig(app, template)).toMatchObject({
      apiUrl: 'https://api.taskflow.example',
    });
    expect(distributionConfig(hosting)).toMatchObject({
      Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'FR'] } },
      WebACLId: { 'Fn::GetAtt': [expect.stringMatching(/^WebWebAcl/), 'Arn'] },
    });
    hosting.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'taskflow-dev-web',
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({
          Name: 'RateLimitPerAddress',
          Statement: {
            RateBasedStatement: Match.objectLike({ Limit: WAF_RATE_LIMIT_PER_ADDRESS }),
          },
        }),
      ],
    });
    expectNagClean(app);
  });

  it('has no CloudFront web ACL when the primary region is not us-east-1, and says why', () => {
    // Prepare
    const config = getTestConfig(
      { api: { waf: true }, regions: { primary: 'eu-west-1', secondary: 'eu-west-2' } },
      'dsql',
    );

    // Act
    const { app, hosting } = boardFixture(config);

    // Assess
    hosting.resourcePropertiesCountIs('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' }, 0);
    expect(cspOf(headersPolicyWith(hosting, REVALIDATE_CACHE_CONTROL).config)).toContain(
      'https://*.execute-api.eu-west-1.{AWS::URLSuffix} wss://*.execute-api.eu-west-1.{AWS::URLSuffix} https://taskflow-dev-{AWS::AccountId}.auth.eu-west-1.amazoncognito.com',
    );
    expectNagClean(app);
  });

  it('is deployed once, from the primary region, with two regions', () => {
    // Act
    const { stacks } = synthFixture(getTestConfig({ multiRegion: true }, 'dsql'));

    // Assess
    expect(stacks.web?.stackName).toBe('taskflow-dev-web-us-east-1');
    // The primary region's WebSocket API, the one its config.json names.
    const [primaryRegion, secondaryRegion] = stacks.regions;
    expect(stacks.web?.dependencies).toContain(primaryRegion?.realtime);
    expect(stacks.web?.dependencies).not.toContain(secondaryRegion?.realtime);
    const [, secondary] = stacks.foundations;
    expect(stacks.foundations.map((f) => f.webHosting !== null)).toEqual([true, false]);
    if (secondary === undefined) throw new Error('no second region');
    Template.fromStack(secondary).resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  it('is not deployed without config.web.enabled (an API-only deployment, with API keys)', () => {
    // Act
    const { stacks } = synthFixture(
      resolveConfig('prod', 'dsql', {
        account: '111111111111',
        api: { apiKeyRequired: true },
        web: { enabled: false },
      }),
    );

    // Assess
    expect(stacks.web).toBeNull();
    expect(stacks.foundations[0]?.webHosting).toBeNull();
  });

  it('serves prod from every edge location and is cdk-nag clean there', () => {
    // Prepare
    const config = resolveConfig('prod', 'dsql', { account: '111111111111' });

    // Act
    const { app, hosting, template } = boardFixture(config);

    // Assess
    expect(distributionConfig(hosting)).toMatchObject({
      PriceClass: 'PriceClass_All',
      WebACLId: expect.anything() as unknown,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    expectNagClean(app);
  });

  it('fails synth with what to run when the board is not built', () => {
    // Prepare: the Lambda bundles, but no apps/web
    const dist = mkdtempSync(join(tmpdir(), 'taskflow-infra-no-web-'));
    for (const lambdaApp of LAMBDA_APPS) {
      mkdirSync(join(dist, 'apps', lambdaAppFolder(lambdaApp)), { recursive: true });
      writeFileSync(join(dist, 'apps', lambdaAppFolder(lambdaApp), 'index.js'), '');
    }
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });

    // Act
    const build = () =>
      buildTaskflowApp(app, getTestConfig({}, 'dsql'), {
        bundleDir: dist,
        deploymentId: 'test',
        nag: false,
      });

    // Assess
    expect(build).toThrow(
      `no web build at ${join(dist, 'apps', 'web')} (index.html and assets/): run \`npx nx run web:build\` first`,
    );
  });
});
