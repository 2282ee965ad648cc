import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { DatabaseEngine } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { synthFixture } from '../testing/synth-fixture';
import type { TaskflowStacks } from '../taskflow-app';
import type { FoundationStack } from './foundation.stack';
import {
  DENY_INSECURE_TRANSPORT,
  type Resources,
  expectNoSecretVariables,
  expectNagClean,
  regionAt,
} from '../testing/template-assertions';

function first(stacks: readonly FoundationStack[], index: number): FoundationStack {
  const stack = stacks[index];
  if (stack === undefined) throw new Error(`no stack ${String(index)}`);
  return stack;
}

/** A fresh two-region fixture (cdk-nag on) with the templates of its two foundation stacks. */
function twoRegionFoundations(engine: DatabaseEngine): {
  app: App;
  stacks: TaskflowStacks;
  primary: Template;
  secondary: Template;
} {
  const { app, stacks } = synthFixture(getTestConfig({ multiRegion: true }, engine), true);
  return {
    app,
    stacks,
    primary: Template.fromStack(first(stacks.foundations, 0)),
    secondary: Template.fromStack(first(stacks.foundations, 1)),
  };
}

function expectNoSecretInTemplate(template: Template): void {
  expectNoSecretVariables(template);
  const json = JSON.stringify(template.toJSON());
  // A generated secret appears only as a Secrets Manager dynamic reference.
  expect(json).not.toMatch(/"MasterUserPassword":"[^{]/);
  expect(json).not.toMatch(/"SecretString":/);
}

describe('FoundationStack, aurora-postgresql, one region (prod preset)', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', {
    account: '111111111111',
    alarms: {
      emails: ['ops@taskflow.example'],
      httpsEndpoints: ['https://hooks.taskflow.example/alarm'],
    },
  });
  const { app, stacks } = synthFixture(config, true);
  const stack = first(stacks.foundations, 0);
  const template = Template.fromStack(stack);

  it('protects every stack of a prod stage from deletion, not the foundation only', () => {
    const region = regionAt(stacks, 0);
    const all = [region.foundation, region.api, region.realtime, region.processor, region.relay];
    for (const protectedStack of [...all, region.monitoring])
      expect({
        stack: protectedStack.stackName,
        protection: protectedStack.terminationProtection,
      }).toEqual({
        stack: protectedStack.stackName,
        protection: true,
      });
  });

  it('runs Aurora PostgreSQL Serverless v2, encrypted with the stack key, with Performance Insights', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
    template.hasResourceProperties('AWS::RDS::DBCluster', { PerformanceInsightsEnabled: true });
  });

  it('requires TLS on every connection', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      RequireTLS: true,
      EngineFamily: 'POSTGRESQL',
    });
  });

  it('rotates the credentials with a rotation function that reaches Secrets Manager inside the VPC', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ endpoint: Match.anyValue() }),
    });
    const rotation = Object.values(
      template.findResources('AWS::Serverless::Application') as Resources,
    );
    expect(JSON.stringify(rotation[0]?.Properties?.['Parameters'])).toMatch(
      /"Ref":"NetworkVpcSecretsManager[0-9A-F]+"/,
    );
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      PrivateDnsEnabled: true,
      VpcEndpointType: 'Interface',
    });
  });

  it.each(['secretsmanager', 'events', 'xray', 'logs', 'sts'])(
    'has a %s interface endpoint',
    (service) => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.us-east-1.${service}`,
        VpcEndpointType: 'Interface',
      });
    },
  );

  it('opens the database only to the RDS Proxy and the rotation function, and the proxy only to the functions', () => {
    const ingress = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress') as Resources,
    );
    const toDatabase = ingress.filter((r) =>
      JSON.stringify(r.Properties?.['GroupId']).includes('DatabaseSecurityGroup'),
    );
    expect(
      toDatabase.map((r) => JSON.stringify(r.Properties?.['SourceSecurityGroupId'])).sort(),
    ).toEqual([
      expect.stringContaining('DatabaseProxySecurityGroup'),
      expect.stringContaining('DatabaseRotationSecurityGroup'),
    ]);
    // Only the cluster's own port (5432), on every rule.
    template.hasResourceProperties('AWS::RDS::DBCluster', { Port: 5432 });
    for (const rule of toDatabase)
      expect(rule.Properties).toMatchObject({
        FromPort: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Port'] },
        ToPort: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Port'] },
      });
    const toProxy = ingress.filter((r) =>
      JSON.stringify(r.Properties?.['GroupId']).includes('DatabaseProxySecurityGroup'),
    );
    expect(toProxy.map((r) => JSON.stringify(r.Properties?.['SourceSecurityGroupId']))).toEqual([
      expect.stringContaining('NetworkFunctionSecurityGroup'),
    ]);
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup') as Resources);
    for (const group of groups) {
      const cidrIngress =
        (group.Properties?.['SecurityGroupIngress'] as { CidrIp?: string }[] | undefined) ?? [];
      expect(cidrIngress.filter((r) => r.CidrIp === '0.0.0.0/0')).toEqual([]);
    }
  });

  it('gives the migrator read access to its database secret and nothing broader', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
    const migratorPolicy = policies.find((p) =>
      JSON.stringify(p.Properties?.['Roles']).includes('SchemaMigrationMigratorRole'),
    );
    expect(migratorPolicy).toBeDefined();
    const statements = (
      migratorPolicy?.Properties?.['PolicyDocument'] as {
        Statement: { Action: unknown; Resource: unknown }[];
      }
    ).Statement;
    const secretStatement = statements.find((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(secretStatement?.Resource)).toContain('DatabaseClusterSecretAttachment');
    for (const s of statements)
      if (s.Resource === '*')
        expect(s.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  });

  it('runs the migrator as a custom resource through the Provider framework on every deploy', () => {
    template.hasResourceProperties('Custom::TaskflowSchema', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProviderframeworkonEvent'), 'Arn'] },
      DeploymentId: 'test',
      // The prod preset has no sample data.
      SampleData: 'false',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'taskflow-prod-migrator',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 600,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          DATABASE_AUTH: 'secret',
          DATABASE_SSL: 'verify',
          DATABASE_POOL_SIZE: '2',
          DATABASE_STATEMENT_TIMEOUT_MS: '10000',
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          DATABASE_SECRET_ARN: { Ref: Match.stringLikeRegexp('DatabaseClusterSecretAttachment') },
          DATABASE_HOST: {
            'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseClusterProxy'), 'Endpoint'],
          },
          POWERTOOLS_SERVICE_NAME: 'taskflow-migrator',
          // Its own namespace per deployment: dev and prod in one account never share a metric.
          POWERTOOLS_METRICS_NAMESPACE: 'Taskflow/taskflow-prod',
        }),
      },
    });
  });

  it('writes every function log to its own log group with the configured retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: Match.absent() },
      0,
    );
  });

  it('generates the JWT signing key in Secrets Manager, encrypted with the stack key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'taskflow-prod/jwt-signing-key',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('archives every event of the custom bus for the configured retention', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'taskflow-prod-events' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventBus'), 'Arn'] },
      RetentionDays: 90,
      EventPattern: { account: ['111111111111'] },
    });
  });

  it('encrypts the alarm topic, lets only CloudWatch of this account publish, and subscribes the endpoints', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          DENY_INSECURE_TRANSPORT,
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@taskflow.example',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https' });
  });

  it('keeps every secret out of the template and the function environments', () => {
    expectNoSecretInTemplate(template);
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('FoundationStack, dsql, one region (dev preset)', () => {
  const config = getTestConfig({}, 'dsql');
  const { app, stacks } = synthFixture(config, true);
  const stack = first(stacks.foundations, 0);
  const template = Template.fromStack(stack);

  it('creates a KMS-encrypted DSQL cluster and no network at all', () => {
    template.hasResourceProperties('AWS::DSQL::Cluster', {
      DeletionProtectionEnabled: false,
      KmsEncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      MultiRegionProperties: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::RDS::DBCluster', 0);
  });

  it('lets the key be used by DSQL for this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'dsql.amazonaws.com' },
            Condition: Match.objectLike({
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            }),
          }),
        ]),
      },
    });
  });

  it('asks the migrator for the sample users (the dev preset has sample data)', () => {
    expect(config.sampleData).toBe(true);
    template.hasResourceProperties('Custom::TaskflowSchema', {
      DeploymentId: 'test',
      SampleData: 'true',
    });
  });

  it('grants the migrator dsql:DbConnectAdmin on this cluster only and tells it to sign IAM tokens', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'dsql:DbConnectAdmin',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseCluster'), 'ResourceArn'] },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'taskflow-dev-migrator',
      VpcConfig: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          DATABASE_AUTH: 'dsql-iam',
          DATABASE_DIALECT: 'dsql',
          DSQL_ENDPOINT: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseCluster'), 'Endpoint'] },
          DATABASE_USER: 'admin',
          DATABASE_SSL: 'verify',
          DATABASE_POOL_SIZE: '2',
          DATABASE_STATEMENT_TIMEOUT_MS: '10000',
          DATABASE_HOST: Match.absent(),
        }),
      },
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('"dsql:*"');
    expect(json).not.toContain('"dsql:DbConnectAdmin","Resource":"*"');
  });

  it('keeps every secret out of the template and the function environments', () => {
    expectNoSecretInTemplate(template);
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('cdk-nag', () => {
  it('fails synth on a finding nobody acknowledged', () => {
    // Prepare: a topic that allows plain HTTP publishing (AwsSolutions-SNS3).
    const { app, stacks } = synthFixture(getTestConfig({}, 'dsql'), true);
    new sns.Topic(first(stacks.foundations, 0), 'Unacknowledged', { enforceSSL: false });

    // Act / Assess
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-SNS3/);
  });
});

describe('Two regions', () => {
  it('peers the DSQL clusters both ways with the same witness region', () => {
    // Act
    const { app, primary, secondary } = twoRegionFoundations('dsql');

    // Assess: the primary names the witness; the secondary names the primary (imported from
    // the primary's region) and the witness; the peering resource names the secondary on the
    // primary, in the primary's region.
    primary.hasResourceProperties('AWS::DSQL::Cluster', {
      MultiRegionProperties: { WitnessRegion: 'us-west-2', Clusters: Match.absent() },
    });
    secondary.hasResourceProperties('AWS::DSQL::Cluster', {
      MultiRegionProperties: {
        WitnessRegion: 'us-west-2',
        Clusters: [
          {
            'Fn::GetAtt': [
              Match.stringLikeRegexp('^ExportsReader'),
              Match.stringLikeRegexp('DatabaseCluster.*ResourceArn'),
            ],
          },
        ],
      },
    });
    const peering = Object.values(secondary.findResources('Custom::AWS') as Resources);
    expect(peering).toHaveLength(1);
    const create = JSON.stringify(peering[0]?.Properties?.['Create']);
    expect(create).toContain('\\"action\\":\\"UpdateCluster\\"');
    expect(create).toContain('\\"region\\":\\"us-east-1\\"');
    expect(create).toContain('\\"witnessRegion\\":\\"us-west-2\\"');
    expect(create).toMatch(
      /clusters\\":\[\\"","?\{"Fn::GetAtt":\["DatabaseCluster[0-9A-F]+","ResourceArn"\]\}/,
    );
    secondary.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'dsql:UpdateCluster',
              'dsql:PutMultiRegionProperties',
              'dsql:PutWitnessRegion',
              'dsql:AddPeerCluster',
            ],
            Resource: [
              Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseCluster'), 'ResourceArn'] },
            ],
          }),
        ]),
      },
    });
    expectNagClean(app);
  });

  it('makes an Aurora global database whose secondary cluster sets no master credentials', () => {
    // Act
    const { app, stacks, primary, secondary } = twoRegionFoundations('aurora-postgresql');

    // Assess
    primary.hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: 'taskflow-dev-global',
      SourceDBClusterIdentifier: { Ref: Match.stringLikeRegexp('^DatabaseCluster') },
    });
    primary.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'taskflow-dev/database/master',
      ReplicaRegions: [{ Region: 'us-east-2' }],
    });
    primary.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'taskflow-dev/jwt-signing-key',
      ReplicaRegions: [{ Region: 'us-east-2' }],
    });
    secondary.hasResourceProperties('AWS::RDS::DBCluster', {
      GlobalClusterIdentifier: 'taskflow-dev-global',
      EnableGlobalWriteForwarding: true,
      StorageEncrypted: true,
      MasterUsername: Match.absent(),
      MasterUserPassword: Match.absent(),
    });
    secondary.resourceCountIs('AWS::SecretsManager::Secret', 0);
    // The schema is the primary's, migrated there first: no migrator beside the read replica
    // (write forwarding refuses DDL).
    secondary.resourceCountIs('Custom::TaskflowSchema', 0);
    // The secondary region's functions use their own cluster (writes are forwarded).
    Template.fromStack(regionAt(stacks, 1).api).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DATABASE_HOST: {
            'Fn::ImportValue': Match.stringLikeRegexp(
              '^taskflow-dev-foundation-us-east-2:.*DatabaseCluster.*EndpointAddress',
            ),
          },
          DATABASE_SECRET_ARN: Match.objectLike({
            'Fn::Join': Match.arrayWith([
              Match.arrayWith([Match.stringLikeRegexp('taskflow-dev/database/master')]),
            ]),
          }),
        }),
      },
    });
    expect(stacks.foundations[1]?.dependencies).toContain(stacks.foundations[0]);
    expectNoSecretInTemplate(secondary);
    expectNagClean(app);
  });
});
