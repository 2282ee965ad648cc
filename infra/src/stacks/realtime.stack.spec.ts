import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_TASKFLOW_EVENT_SOURCE, eventRules, matchesPattern } from '@taskflow/platform-event-routing';
import { ConfigError, type TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { FORWARD_RETRY_ATTEMPTS } from '../constructs/websocket-forward.construct';
import { synthFixture } from '../testing/synth-fixture';
import {
  expectEncryptedDeadLetters,
  expectNagClean,
  expectOnFailureGrant,
  expectRuleMayDeadLetter,
  regionAt,
  retriedTarget,
  SECRET_VARIABLES,
} from '../testing/template-assertions';
import { sharedNames } from './foundation.stack';

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
};
type Resources = Record<string, Resource>;
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

/** The logical id of the only resource of a type whose id starts with a prefix. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`${String(ids.length)} ${type} named ${prefix}…`);
  return ids[0] ?? '';
}

function functionVariables(template: Template, app: string): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
  const fn = functions.find(
    (f) =>
      (f.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables?.['POWERTOOLS_SERVICE_NAME'] === `taskflow-${app}`,
  );
  if (fn === undefined) throw new Error(`no ${app} function`);
  return (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap(
    (p) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement,
  );
}

describe('RealtimeStack, aurora-postgresql, one region (dev preset)', () => {
  const config = getTestConfig({});
  const { app, stacks } = synthFixture(config, true);
  const { realtime, foundation } = regionAt(stacks, 0);
  const template = Template.fromStack(realtime);
  const api = logicalId(template, 'AWS::ApiGatewayV2::Api', 'WebSocketApi');
  const alias = (prefix: string): string => logicalId(template, 'AWS::Lambda::Alias', prefix);
  const rule = logicalId(template, 'AWS::Events::Rule', 'BroadcastRule');
  const deliveryQueue = logicalId(template, 'AWS::SQS::Queue', 'BroadcastDeliveryDeadLetters');
  const failureQueue = logicalId(template, 'AWS::SQS::Queue', 'BroadcastFailureDeadLetters');

  it.each([
    ['$connect', 'WsConnectLive'],
    ['$disconnect', 'WsDisconnectLive'],
  ])('routes %s to the live alias of its function', (routeKey, aliasPrefix) => {
    // Prepare
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources);
    const route = routes.find((r) => r.Properties?.['RouteKey'] === routeKey);
    const target = JSON.stringify(route?.Properties?.['Target']);
    const integrationId = /"Ref":"([A-Za-z0-9]+)"/.exec(target)?.[1] ?? '';

    // Assess: route -> integration -> alias (not the function's $LATEST)
    expect(route?.Properties).toMatchObject({ ApiId: { Ref: api } });
    const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId];
    expect(integration?.['Properties']).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: {
        'Fn::Join': ['', expect.arrayContaining([{ Ref: alias(aliasPrefix) }])],
      },
    });
  });

  it('has no $default route: clients only listen', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources).map(
      (r) => r.Properties?.['RouteKey'],
    );
    expect(keys.sort()).toEqual(['$connect', '$disconnect']);
  });

  it('lets API Gateway invoke the two lifecycle aliases, and nothing else', () => {
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'apigateway.amazonaws.com' },
      }) as Resources,
    );
    expect(permissions.map((p) => p.Properties?.['FunctionName']).sort(byJson)).toEqual(
      [{ Ref: alias('WsConnectLive') }, { Ref: alias('WsDisconnectLive') }].sort(byJson),
    );
    for (const p of permissions)
      expect(JSON.stringify(p.Properties?.['SourceArn'])).toContain(`{"Ref":"${api}"}`);
  });

  it('deploys the stage named after the deployment stage, throttled as configured', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: api },
      StageName: 'dev',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: config.realtime.throttling.rateLimit,
        ThrottlingBurstLimit: config.realtime.throttling.burstLimit,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      },
    });
  });

  it('writes JSON access logs without query string or headers to a group with the configured retention', () => {
    // Prepare
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage') as Resources)[0];
    const settings = stage?.Properties?.['AccessLogSettings'] as {
      DestinationArn: unknown;
      Format: string;
    };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    const group = logicalId(template, 'AWS::Logs::LogGroup', 'WebSocketAccessLogs');
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [group, 'Arn'] });
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    // The stream ticket travels in $connect's query string: nothing may log it.
    expect(settings.Format).not.toMatch(/querystring|request\.header|\$input|\$request/i);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: Match.absent() },
      0,
    );
  });

  it("keeps the stage's execution logs in a group of its own with the configured retention", () => {
    const group = logicalId(template, 'AWS::Logs::LogGroup', 'WebSocketExecutionLogs');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/apigateway/', { Ref: api }, '/dev']] },
      RetentionInDays: 7,
    });
    template.hasResource('AWS::ApiGatewayV2::Stage', {
      DependsOn: Match.arrayWith([group]),
    });
  });

  it("logs through the foundation's API Gateway account role and creates no other", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(realtime.webSocketStage.node.dependencies).toContain(foundation.apiGatewayAccount);
    expect(realtime.dependencies).toContain(foundation);
  });

  it("matches Taskflow's own events on the foundation's bus with the event-routing pattern", () => {
    const broadcasterRule = eventRules({ source: DEFAULT_TASKFLOW_EVENT_SOURCE }).find(
      (r) => r.target === 'broadcaster',
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'taskflow-dev-taskflow-domain-events',
      EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('ExportsOutputRefEventBus') },
      EventPattern: { source: [DEFAULT_TASKFLOW_EVENT_SOURCE] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: broadcasterRule?.eventPattern,
    });
  });

  it('targets the broadcaster alias with a retry policy and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        retriedTarget(
          { Ref: alias('BroadcasterLive') },
          {
            attempts: config.realtime.delivery.retryAttempts,
            maxAgeSeconds: config.realtime.delivery.maxEventAgeSeconds,
          },
          deliveryQueue,
        ),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { Ref: alias('BroadcasterLive') },
      SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
    });
  });

  it('lets EventBridge send to the dead-letter queue for this rule only, over TLS', () => {
    expectRuleMayDeadLetter(template, deliveryQueue, rule);
  });

  it.each([
    ['delivery', 'BroadcastDeliveryDeadLetters'],
    ['failure', 'BroadcastFailureDeadLetters'],
  ])(
    'encrypts the %s dead-letter queue with a rotated key EventBridge of this account may use',
    (_name, prefix) => {
      expectEncryptedDeadLetters(
        template,
        logicalId(template, 'AWS::SQS::Queue', prefix),
        logicalId(template, 'AWS::KMS::Key', prefix),
      );
    },
  );

  it("bounds the alias's asynchronous invocations and sends failures to the encrypted queue", () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'Broadcaster') },
      Qualifier: {
        'Fn::Select': [7, { 'Fn::Split': [':', { Ref: alias('BroadcasterLive') }] }],
      },
      MaximumRetryAttempts: config.realtime.delivery.retryAttempts,
      MaximumEventAgeInSeconds: config.realtime.delivery.maxEventAgeSeconds,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [failureQueue, 'Arn'] } },
      },
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it("grants the function's role the send to its failure queue, and only what a send needs", () => {
    expectOnFailureGrant(template, 'BroadcasterRole', {
      queueId: failureQueue,
      keyId: logicalId(template, 'AWS::KMS::Key', 'BroadcastFailureDeadLetters'),
    });
    const broadcasterPolicy = Object.values(
      template.findResources('AWS::IAM::Policy') as Resources,
    ).find((p) => JSON.stringify(p.Properties?.['Roles']).includes('BroadcasterRole'));
    expect(JSON.stringify(broadcasterPolicy?.Properties?.['PolicyDocument'])).not.toMatch(
      /kms:ReEncrypt|GenerateDataKey\*/,
    );
  });

  it('lets the broadcaster post to and close connections of this API and stage only', () => {
    // Prepare
    const manage = statements(template).filter((s) =>
      JSON.stringify(s.Action).includes('execute-api:'),
    );
    const arn = (method: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          { Ref: api },
          `/dev/${method}/@connections/*`,
        ],
      ],
    });

    // Assess: one statement, on the broadcaster's role, naming this API and stage
    expect(manage).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:ManageConnections',
        Resource: [arn('POST'), arn('DELETE')],
      },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
    const holders = policies.filter((p) => JSON.stringify(p.Properties).includes('execute-api:'));
    expect(holders.map((p) => JSON.stringify(p.Properties?.['Roles']))).toEqual([
      expect.stringContaining('BroadcasterRole'),
    ]);
  });

  it('tells the broadcaster its callback URL, and the lifecycle functions none', () => {
    expect(functionVariables(template, 'broadcaster')['WEBSOCKET_CALLBACK_URL']).toEqual({
      'Fn::Join': [
        '',
        ['https://', { Ref: api }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/dev'],
      ],
    });
    expect(functionVariables(template, 'ws-connect')).not.toHaveProperty('WEBSOCKET_CALLBACK_URL');
    expect(functionVariables(template, 'ws-disconnect')).not.toHaveProperty(
      'WEBSOCKET_CALLBACK_URL',
    );
  });

  it('runs every function in the Aurora VPC (the broadcaster reaches @connections by NAT)', () => {
    for (const app of ['ws-connect', 'ws-disconnect', 'broadcaster'])
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: `taskflow-${app}` }),
        },
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      });
  });

  it('keeps every secret out of the function environments', () => {
    for (const app of ['ws-connect', 'ws-disconnect', 'broadcaster']) {
      const variables = functionVariables(template, app);
      for (const name of SECRET_VARIABLES) expect(variables).not.toHaveProperty(name);
    }
    expect(functionVariables(template, 'ws-connect')).toMatchObject({
      JWT_SECRET_ARN: { 'Fn::ImportValue': expect.stringContaining('JwtSecret') as unknown },
    });
  });

  it('hands monitoring both dead-letter queues, the API and its stage', () => {
    const queueIds = realtime.deadLetterQueues.map((q) => realtime.resolve(q.queueArn) as unknown);
    expect(queueIds).toEqual([
      { 'Fn::GetAtt': [deliveryQueue, 'Arn'] },
      { 'Fn::GetAtt': [failureQueue, 'Arn'] },
    ]);
    expect(realtime.resolve(realtime.webSocketApi.apiId)).toEqual({ Ref: api });
    expect(realtime.webSocketStage.stageName).toBe('dev');
    expect(realtime.functions.map((f) => f.fn.app)).toEqual([
      'ws-connect',
      'ws-disconnect',
      'broadcaster',
    ]);
  });

  it('outputs the URL, a ready connect command, the function names and each queue with its redrive', () => {
    // Prepare
    const outputs = template.toJSON() as { Outputs: Record<string, { Value: unknown }> };
    const text = (name: string): string => JSON.stringify(outputs.Outputs[name]?.Value);

    // Assess
    expect(text('WebSocketUrl')).toMatch(/^\{"Fn::Join":\["",\["wss:\/\/",.*"\/dev"\]\]\}$/);
    expect(text('ConnectCommand')).toContain('npx wscat -c \\"wss://');
    expect(text('ConnectCommand')).toContain(
      '/dev?projectId=<project id>&ticket=<ticket from POST /projects/{id}/stream-tickets>',
    );
    for (const name of ['WsConnect', 'WsDisconnect', 'Broadcaster'])
      expect(outputs.Outputs[`${name}FunctionName`]?.Value).toEqual({
        Ref: logicalId(template, 'AWS::Lambda::Function', name),
      });
    for (const [name, queue] of [
      ['DeliveryDeadLetters', deliveryQueue],
      ['FailureDeadLetters', failureQueue],
    ] as const) {
      expect(outputs.Outputs[`${name}Url`]?.Value).toEqual({ Ref: queue });
      expect(outputs.Outputs[`${name}Arn`]?.Value).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
      const redrive = text(`${name}RedriveCommand`);
      expect(redrive).toContain('aws sqs receive-message');
      expect(redrive).toContain(':live --invocation-type Event');
      expect(redrive).toContain('aws sqs delete-message');
    }
    expect(text('FailureDeadLettersRedriveCommand')).toContain('.requestPayload');
  });

  it('forwards nothing to another region: there is none', () => {
    expect(realtime.forward).toBeNull();
    template.resourceCountIs('AWS::Events::Rule', 1);
    expect(JSON.stringify(template.toJSON())).not.toContain('events:PutEvents');
    expect(realtime.deadLetterQueues).toHaveLength(2);
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe.each(['aurora-postgresql', 'dsql'] as const)(
  "RealtimeStack, two regions, %s: each region forwards its own events to the other's bus",
  (engine) => {
    const config = getTestConfig({ multiRegion: true }, engine);
    const { app, stacks } = synthFixture(config, true);
    const maxEventAge = config.realtime.delivery.maxEventAgeSeconds;
    const { account } = config;
    if (account === undefined) throw new Error('the test config names an account');

    /** The forward rule of region `index`, its role, queue, and the other region's name. */
    function forwardOf(index: number) {
      const here = regionAt(stacks, index);
      const there = regionAt(stacks, 1 - index);
      const template = Template.fromStack(here.realtime);
      const ruleId = logicalId(template, 'AWS::Events::Rule', 'ForwardRule');
      const roleId = logicalId(template, 'AWS::IAM::Role', 'ForwardRole');
      const queueId = logicalId(template, 'AWS::SQS::Queue', 'ForwardDeadLetters');
      const rule = template.findResources('AWS::Events::Rule')[ruleId] as Resource;
      return { here, there, template, ruleId, roleId, queueId, rule };
    }

    /** The other region's bus, as its foundation stack names it, in the configured account. */
    const busArn = (otherRegion: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:events:${otherRegion}:${account}:event-bus/${sharedNames(config).eventBus}`,
        ],
      ],
    });

    it.each([0, 1])(
      "region %i: matches Taskflow's own events put in this region, on this region's bus",
      (index) => {
        // Prepare
        const { here, there, template, rule } = forwardOf(index);
        const broadcaster = Object.values(
          template.findResources('AWS::Events::Rule', {
            Properties: { Name: 'taskflow-dev-taskflow-domain-events' },
          }) as Resources,
        )[0];

        // Assess
        expect(rule.Properties?.['Name']).toBe(`taskflow-dev-forward-${there.region}`);
        expect(rule.Properties?.['EventPattern']).toEqual({
          source: [DEFAULT_TASKFLOW_EVENT_SOURCE],
          region: [here.region],
        });
        expect(rule.Properties?.['EventBusName']).toEqual(
          broadcaster?.Properties?.['EventBusName'],
        );
        // The broadcaster's own rule keeps matching events of every region: forwarded ones too.
        expect(broadcaster?.Properties?.['EventPattern']).toEqual({
          source: [DEFAULT_TASKFLOW_EVENT_SOURCE],
        });
        template.resourceCountIs('AWS::Events::Rule', 2);
      },
    );

    it.each([0, 1])(
      "region %i: targets the other region's bus by its ARN, with a retry policy and a dead-letter queue",
      (index) => {
        // Prepare
        const { there, rule, roleId, queueId } = forwardOf(index);

        // Assess
        expect(rule.Properties?.['Targets']).toEqual([
          {
            Id: expect.any(String) as unknown,
            Arn: busArn(there.region),
            RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
            RetryPolicy: {
              MaximumRetryAttempts: FORWARD_RETRY_ATTEMPTS,
              MaximumEventAgeInSeconds: maxEventAge,
            },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          },
        ]);
      },
    );

    it("names the bus exactly as the other region's foundation does", () => {
      for (const { foundation } of stacks.regions)
        Template.fromStack(foundation).hasResourceProperties('AWS::Events::EventBus', {
          Name: sharedNames(config).eventBus,
        });
    });

    it.each([0, 1])(
      "region %i: the rule's role, assumed by EventBridge of this account, may only put events on that bus",
      (index) => {
        // Prepare
        const { there, template, roleId } = forwardOf(index);
        const role = template.findResources('AWS::IAM::Role')[roleId] as Resource;
        const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
        const ofRole = policies.filter((p) =>
          JSON.stringify(p.Properties?.['Roles']).includes(`"Ref":"${roleId}"`),
        );

        // Assess
        expect(role.Properties?.['AssumeRolePolicyDocument']).toMatchObject({
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        });
        expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
        expect(role.Properties).not.toHaveProperty('Policies');
        expect(ofRole).toHaveLength(1);
        expect(ofRole[0]?.Properties?.['Roles']).toEqual([{ Ref: roleId }]);
        expect(
          (ofRole[0]?.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement,
        ).toEqual([
          { Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn(there.region) },
        ]);
        // No other role of the stack may put events anywhere.
        const putters = policies.filter((p) => JSON.stringify(p).includes('events:PutEvents'));
        expect(putters).toEqual(ofRole);
      },
    );

    it.each([0, 1])(
      'region %i: lets EventBridge dead-letter into the encrypted queue for this rule only; monitoring gets it',
      (index) => {
        // Prepare
        const { here, template, ruleId, queueId } = forwardOf(index);
        const keyId = logicalId(template, 'AWS::KMS::Key', 'ForwardDeadLetters');

        // Assess
        expectEncryptedDeadLetters(template, queueId, keyId);
        expectRuleMayDeadLetter(template, queueId, ruleId);
        const queues = here.realtime.deadLetterQueues.map(
          (q) => here.realtime.resolve(q.queueArn) as unknown,
        );
        expect(queues).toHaveLength(3);
        expect(queues).toContainEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
        template.hasOutput('ForwardDeadLettersUrl', { Value: { Ref: queueId } });
      },
    );

    it('delivers an event once in each region and never forwards it back', () => {
      // Prepare: the event as EventBridge hands it to the rules, put on region 0's bus
      const [first, second] = [forwardOf(0), forwardOf(1)];
      const broadcastRule = eventRules({ source: DEFAULT_TASKFLOW_EVENT_SOURCE }).find(
        (r) => r.target === 'broadcaster',
      );
      const event = {
        version: '0',
        id: 'e-1',
        'detail-type': 'Task Deleted',
        source: DEFAULT_TASKFLOW_EVENT_SOURCE,
        account: '123456789012',
        time: '2026-01-01T00:00:00Z',
        region: first.here.region,
        resources: [],
        detail: {},
      };
      const pattern = (resource: Resource): unknown => resource.Properties?.['EventPattern'];

      // Assess: region 0 broadcasts it and forwards it; region 1, where it arrives with its
      // original region, broadcasts it and does not forward it (nor would region 0 again)
      expect(matchesPattern(broadcastRule?.eventPattern, event)).toBe(true);
      expect(matchesPattern(pattern(first.rule), event)).toBe(true);
      expect(matchesPattern(pattern(second.rule), event)).toBe(false);
      expect(matchesPattern(pattern(second.rule), { ...event, region: second.here.region })).toBe(
        true,
      );
    });

    it('is cdk-nag clean', () => {
      expectNagClean(app);
    });
  },
);

describe('RealtimeStack, other shapes', () => {
  it.each<[string, TaskflowConfig]>([
    ['dev, dsql, one region', getTestConfig({}, 'dsql')],
    ['dev, dsql, two regions', getTestConfig({ multiRegion: true }, 'dsql')],
    ['dev, aurora-postgresql, two regions', getTestConfig({ multiRegion: true })],
  ])('%s: one API per region, scoped to it, and cdk-nag clean', (_shape, config) => {
    // Act
    const { app, stacks } = synthFixture(config, true);

    // Assess
    expect(stacks.regions).toHaveLength(config.multiRegion ? 2 : 1);
    for (const { region: name, realtime } of stacks.regions) {
      const template = Template.fromStack(realtime);
      const api = logicalId(template, 'AWS::ApiGatewayV2::Api', 'WebSocketApi');
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: config.stage,
        DefaultRouteSettings: Match.objectLike({
          ThrottlingRateLimit: config.realtime.throttling.rateLimit,
          ThrottlingBurstLimit: config.realtime.throttling.burstLimit,
        }),
      });
      expect(functionVariables(template, 'broadcaster')['WEBSOCKET_CALLBACK_URL']).toEqual({
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: api },
            `.execute-api.${name}.`,
            { Ref: 'AWS::URLSuffix' },
            `/${config.stage}`,
          ],
        ],
      });
      template.resourceCountIs('AWS::Logs::LogGroup', 5);
      template.allResourcesProperties('AWS::Logs::LogGroup', {
        RetentionInDays: config.logRetentionDays,
      });
      const vpc =
        config.database.engine === 'aurora-postgresql' ? Match.anyValue() : Match.absent();
      template.allResourcesProperties('AWS::Lambda::Function', { VpcConfig: vpc });
    }
    expectNagClean(app);
  });
});

describe('RealtimeStack, aurora-postgresql, one region (prod preset)', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', { account: '111111111111' });
  const { app, stacks } = synthFixture(config, true);
  const template = Template.fromStack(regionAt(stacks, 0).realtime);

  it('keeps ws-connect warm, throttles at the prod rate and logs for 90 days', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Description: 'The version of ws-connect that takes traffic',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: 500,
        ThrottlingBurstLimit: 1_000,
        LoggingLevel: 'ERROR',
      }),
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('retains the dead-letter queues, their keys and the logs', () => {
    for (const type of ['AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'])
      template.allResources(type, { DeletionPolicy: 'Retain' });
  });

  it('has no cdk-nag AWS Solutions finding left unacknowledged', () => {
    expectNagClean(app);
  });
});

describe('realtime configuration', () => {
  it('throttles the stage with an overridden rate and burst', () => {
    // Prepare
    const config = getTestConfig(
      { realtime: { throttling: { rateLimit: 7, burstLimit: 9 } } },
      'dsql',
    );

    // Act
    const { stacks } = synthFixture(config, false);

    // Assess
    Template.fromStack(regionAt(stacks, 0).realtime).hasResourceProperties(
      'AWS::ApiGatewayV2::Stage',
      {
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 }),
      },
    );
  });

  it.each([
    ['realtime.delivery.retryAttempts', { delivery: { retryAttempts: 3 } }],
    ['realtime.delivery.maxEventAgeSeconds', { delivery: { maxEventAgeSeconds: 59 } }],
    ['realtime.delivery.maxEventAgeSeconds', { delivery: { maxEventAgeSeconds: 21_601 } }],
    ['realtime.throttling.burstLimit', { throttling: { burstLimit: 0 } }],
  ])('refuses %s outside what Lambda and API Gateway accept', (path, realtime) => {
    expect(() => getTestConfig({ realtime }, 'dsql')).toThrow(ConfigError);
    expect(() => getTestConfig({ realtime }, 'dsql')).toThrow(new RegExp(`${path}: `));
  });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
