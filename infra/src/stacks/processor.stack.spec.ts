import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  DEFAULT_TASKFLOW_EVENT_SOURCE,
  INBOUND_COMMAND_DETAIL_TYPES,
  INBOUND_COMMAND_SOURCE,
} from '@taskflow/platform-event-routing';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import { primaryStackFixture, synthFixture } from '../testing/synth-fixture';
import {
  type Resources,
  deadLetterIds,
  expectEncryptedDeadLetters,
  expectNoSecretVariables,
  expectLiveInvokeFailures,
  expectRuleMayDeadLetter,
  getAttOf,
  logicalIdOf,
  regionAt,
  retriedTarget,
} from '../testing/template-assertions';

describe('ProcessorStack (dev preset, aurora-postgresql, one region)', () => {
  const { stack, template } = primaryStackFixture(getTestConfig(), 'processor');
  const alias = { Ref: logicalIdOf(stack.processorLive.alias) };

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
        retriedTarget(
          alias,
          { attempts: 30, maxAgeSeconds: 7_200 },
          logicalIdOf(stack.inboundDeadLetters.queue),
        ),
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
        SourceArn: getAttOf(stack.inboundRule),
      },
    ]);
  });

  it('retries the commands the processor throws on and sends the last failure to an encrypted queue', () => {
    expectLiveInvokeFailures(
      template,
      stack.processor,
      { attempts: 2, maxAgeSeconds: 21_600 },
      stack.processorFailures,
    );
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
        retriedTarget(
          {
            'Fn::Join': [
              '',
              Match.arrayWith([
                Match.stringLikeRegexp(':logs:us-east-1:111111111111:log-group:$'),
                { Ref: logicalIdOf(stack.publishedEvents.logGroup) },
              ]),
            ],
          },
          { attempts: 185, maxAgeSeconds: 86_400 },
          logicalIdOf(stack.publishedEventsDeadLetters.queue),
        ),
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
      JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack.publishedEvents.logGroup), 'Arn'] }),
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
      expectRuleMayDeadLetter(template, logicalIdOf(dlq(stack).queue), logicalIdOf(rule(stack)));
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
      const { queueId, keyId } = deadLetterIds(dlq);
      expectEncryptedDeadLetters(template, queueId, keyId);
    }
  });

  it('outputs the function, its log, the queues with a redrive by archive replay, and the log group', () => {
    template.hasOutput('ProcessorFunctionName', {
      Value: { Ref: logicalIdOf(stack.processor) },
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
    expect(replay).toContain(logicalIdOf(stack.inboundRule));
    template.hasOutput('PublishedEventsLogGroupName', {
      Value: { Ref: logicalIdOf(stack.publishedEvents.logGroup) },
    });
    // The foundation already outputs the seed's put-events command.
    expect(JSON.stringify(template.toJSON())).not.toContain('put-events');
  });

  it('keeps every secret out of the function environment', () => {
    expectNoSecretVariables(template);
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
      const template = Template.fromStack(regionAt(stacks, i).processor);
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
