import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  DEFAULT_TASKFLOW_EVENT_SOURCE,
  INBOUND_COMMAND_DETAIL_TYPES,
  INBOUND_COMMAND_SOURCE,
} from '@taskflow/event-routing';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import { synthFixture } from '../testing/synth-fixture';
import type { RegionStacks } from '../taskflow-app';

/** Variable names a secret value would travel in; only *_ARN names may appear. */
const SECRET_VARIABLES = ['DATABASE_URL', 'DATABASE_PASSWORD', 'JWT_SECRET', 'PGPASSWORD'];

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function region(stacks: readonly RegionStacks[], index: number): RegionStacks {
  const found = stacks[index];
  if (found === undefined) throw new Error(`no region ${String(index)}`);
  return found;
}

/** The logical id of a construct's CloudFormation resource in its stack. */
function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

function getAtt(construct: IConstruct, attribute = 'Arn'): unknown {
  return { 'Fn::GetAtt': [logicalId(construct), attribute] };
}

describe('ProcessorStack (dev preset, aurora-postgresql, one region)', () => {
  const { stacks } = synthFixture(getTestConfig(), true);
  const stack = region(stacks.regions, 0).processor;
  const template = Template.fromStack(stack);
  const alias = { Ref: logicalId(stack.processorLive.alias) };

  it('routes the inbound task.management commands, with the pattern of event-routing, to the live alias', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'taskflow-dev-inbound-task-commands',
      EventBusName: {
        'Fn::ImportValue': Match.stringLikeRegexp('foundation-us-east-1:.*EventBus'),
      },
      EventPattern: {
        source: [INBOUND_COMMAND_SOURCE],
        'detail-type': [...INBOUND_COMMAND_DETAIL_TYPES],
      },
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: alias,
          RetryPolicy: { MaximumRetryAttempts: 30, MaximumEventAgeInSeconds: 7_200 },
          DeadLetterConfig: { Arn: getAtt(stack.inboundDeadLetters.queue) },
        },
      ],
    });
  });

  it('lets only the inbound rule invoke the alias, not the function or its versions', () => {
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission') as Resources,
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: alias,
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(stack.inboundRule),
      },
    ]);
  });

  it('retries the commands the processor throws on and sends the last failure to an encrypted queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.processor) },
      Qualifier: 'live',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: {
        OnFailure: { Destination: getAtt(stack.processorFailures.queue) },
      },
    });
    // The function's role sends the invocation records: only to that queue, with its key.
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ProcessorRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Resource: getAtt(stack.processorFailures.queue),
          },
          {
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: getAtt(stack.processorFailures.key),
            Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('copies the published Taskflow events into /aws/events/<project>-<stage>-published with retry and dead letters', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/events/taskflow-dev-published',
      RetentionInDays: 7,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'taskflow-dev-published-events',
      EventPattern: { source: [DEFAULT_TASKFLOW_EVENT_SOURCE] },
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: {
            'Fn::Join': [
              '',
              Match.arrayWith([
                Match.stringLikeRegexp(':logs:us-east-1:111111111111:log-group:$'),
                { Ref: logicalId(stack.publishedEvents.logGroup) },
              ]),
            ],
          },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: getAtt(stack.publishedEventsDeadLetters.queue) },
        },
      ],
    });
  });

  it('lets EventBridge of this account write to that log group alone, with a plain resource policy (no custom resource)', () => {
    const policies = Object.values(
      template.findResources('AWS::Logs::ResourcePolicy') as Resources,
    );
    expect(policies).toHaveLength(1);
    const document = JSON.stringify(policies[0]?.Properties?.['PolicyDocument']);
    expect(document).toContain('\\"Service\\":[\\"events.amazonaws.com\\"');
    expect(document).toContain('\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]');
    expect(document).toContain(
      JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.publishedEvents.logGroup), 'Arn'] }),
    );
    expect(document).toContain('aws:SourceAccount');
    // CDK's CloudWatchLogGroup target would add a custom resource and its Lambda function.
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Custom::|logs:PutResourcePolicy/);
  });

  it('gives every rule target a retry policy and a dead-letter queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule') as Resources);
    expect(rules).toHaveLength(2);
    for (const rule of rules)
      for (const target of rule.Properties?.['Targets'] as Record<string, unknown>[]) {
        expect(target['RetryPolicy']).toEqual({
          MaximumRetryAttempts: expect.any(Number) as number,
          MaximumEventAgeInSeconds: expect.any(Number) as number,
        });
        expect(target['DeadLetterConfig']).toEqual({ Arn: expect.anything() as unknown });
      }
  });

  it.each<[string, (s: typeof stack) => DeadLetterQueue, (s: typeof stack) => IConstruct]>([
    ['inbound', (s) => s.inboundDeadLetters, (s) => s.inboundRule],
    ['published-events', (s) => s.publishedEventsDeadLetters, (s) => s.publishedEventsRule],
  ])(
    'lets EventBridge send to the %s dead-letter queue for its own rule only, over TLS',
    (_name, dlq, rule) => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(dlq(stack).queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: getAtt(dlq(stack).queue),
              Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule(stack)) } },
            }),
          ]),
        },
      });
    },
  );

  it('encrypts every dead-letter queue with a rotated key of its own that EventBridge may use', () => {
    const queues = [
      stack.inboundDeadLetters,
      stack.processorFailures,
      stack.publishedEventsDeadLetters,
    ];
    expect(stack.deadLetterQueues).toEqual(queues.map((q) => q.queue));
    for (const dlq of queues) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: getAtt(dlq.key),
        MessageRetentionPeriod: 1_209_600,
      });
      const key = template.findResources('AWS::KMS::Key')[logicalId(dlq.key)] as
        { Properties: { EnableKeyRotation: boolean; KeyPolicy: unknown } } | undefined;
      expect(key?.Properties.EnableKeyRotation).toBe(true);
      expect(key?.Properties.KeyPolicy).toEqual(
        expect.objectContaining({
          Statement: expect.arrayContaining([
            expect.objectContaining({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]) as unknown,
        }),
      );
    }
  });

  it('outputs the function, its log, the queues with a redrive by archive replay, and the log group', () => {
    template.hasOutput('ProcessorFunctionName', {
      Value: { Ref: logicalId(stack.processor) },
      Description: Match.stringLikeRegexp('PutEventsCommand'),
    });
    template.hasOutput('ProcessorLogsCommand', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            'aws logs tail ',
            { Ref: Match.stringLikeRegexp('^ProcessorLogGroup') },
          ]),
        ],
      },
    });
    for (const name of ['InboundDeadLetters', 'ProcessorFailures', 'PublishedEventsDeadLetters']) {
      template.hasOutput(`${name}QueueUrl`, { Value: Match.anyValue() });
      template.hasOutput(`${name}QueueArn`, { Value: Match.anyValue() });
    }
    const replay = JSON.stringify(template.findOutputs('ProcessorRedriveCommand'));
    expect(replay).toContain('aws events start-replay');
    expect(replay).toMatch(/ExportsOutputFnGetAttEventBusArchive[0-9A-Za-z]*Arn/);
    expect(replay).toContain(logicalId(stack.inboundRule));
    template.hasOutput('PublishedEventsLogGroupName', {
      Value: { Ref: logicalId(stack.publishedEvents.logGroup) },
    });
    // The foundation already outputs the seed's put-events command.
    expect(JSON.stringify(template.toJSON())).not.toContain('put-events');
  });

  it('keeps every secret out of the function environment', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    for (const fn of functions) {
      const env = fn.Properties?.['Environment'] as
        { Variables?: Record<string, unknown> } | undefined;
      for (const name of SECRET_VARIABLES) expect(env?.Variables ?? {}).not.toHaveProperty(name);
    }
  });
});

describe('ProcessorStack and RelayStack, cdk-nag AWS Solutions', () => {
  it.each<[string, TaskflowConfig]>([
    ['dev, aurora-postgresql', getTestConfig()],
    ['dev, dsql', getTestConfig({}, 'dsql')],
    [
      'prod, aurora-postgresql',
      resolveConfig('prod', 'aurora-postgresql', { account: '111111111111' }),
    ],
    ['dev, dsql, two regions', getTestConfig({ multiRegion: true }, 'dsql')],
  ])('leaves no finding unacknowledged (%s)', (_name, config) => {
    // Act: nag runs as a validation plugin of the app, an unacknowledged finding throws.
    const { app } = synthFixture(config, true);

    // Assess
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('builds the processor and its rules in each of two regions, on that region’s bus', () => {
    // Prepare
    const config = resolveConfig('prod', 'aurora-postgresql', {
      account: '111111111111',
      multiRegion: true,
    });

    // Act
    const { app, stacks } = synthFixture(config, true);

    // Assess
    expect(() => app.synth({ force: true })).not.toThrow();
    for (const [i, name] of ['us-east-1', 'us-east-2'].entries()) {
      const template = Template.fromStack(region(stacks.regions, i).processor);
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: 'taskflow-prod-inbound-task-commands',
        EventBusName: {
          'Fn::ImportValue': Match.stringLikeRegexp(`foundation-${name}:.*EventBus`),
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/events/taskflow-prod-published',
        RetentionInDays: 90,
      });
    }
  });
});
