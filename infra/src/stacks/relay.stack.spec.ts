import { Match, Template } from 'aws-cdk-lib/assertions';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { synthFixture } from '../testing/synth-fixture';
import { relayTimeout } from './relay.stack';
import {
  expectNoSecretVariables,
  functionEnvironments,
  getAttOf,
  logicalIdOf,
  regionAt,
} from '../testing/template-assertions';

describe('RelayStack (dev preset, aurora-postgresql, one region)', () => {
  const { stacks } = synthFixture(getTestConfig(), true);
  const stack = regionAt(stacks, 0).relay;
  const template = Template.fromStack(stack);
  const alias = { Ref: logicalIdOf(stack.relayLive.alias) };

  it('runs the live alias every minute from the default bus, with retry and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'taskflow-dev-relay-schedule',
      ScheduleExpression: 'rate(1 minute)',
      EventBusName: Match.absent(),
      State: 'ENABLED',
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: alias,
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: getAttOf(stack.missedRuns.queue) },
        },
      ],
    });
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: alias,
      Principal: 'events.amazonaws.com',
      SourceArn: getAttOf(stack.scheduleRule),
    });
  });

  it('ends a run (30 s) before the next one starts, with time to sweep past the 10 s margin', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'taskflow-dev-relay',
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: Match.anyValue() }) },
    });
  });

  it('does not retry a failed run (the next tick is the retry) and records it in the queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack.relay) },
      Qualifier: 'live',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: getAttOf(stack.missedRuns.queue) } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RelayRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Resource: getAttOf(stack.missedRuns.queue),
          },
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: getAttOf(stack.missedRuns.key),
          }),
        ]),
      },
    });
  });

  it('encrypts the queue with its own key, which EventBridge may use, and lets only the schedule rule send', () => {
    expect(stack.deadLetterQueues).toEqual([stack.missedRuns.queue]);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: getAttOf(stack.missedRuns.key),
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(stack.missedRuns.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': getAttOf(stack.scheduleRule) } },
          }),
        ]),
      },
    });
  });

  it('outputs the function, its log command and the queue', () => {
    template.hasOutput('RelayFunctionName', { Value: { Ref: logicalIdOf(stack.relay) } });
    template.hasOutput('RelayLogsCommand', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith(['aws logs tail ', { Ref: Match.stringLikeRegexp('^RelayLogGroup') }]),
        ],
      },
    });
    template.hasOutput('MissedRunsQueueUrl', {
      Value: { Ref: logicalIdOf(stack.missedRuns.queue) },
    });
    template.hasOutput('MissedRunsQueueArn', { Value: getAttOf(stack.missedRuns.queue) });
  });

  it('keeps every secret out of the function environment', () => {
    expect(functionEnvironments(template)).toHaveLength(1);
    expectNoSecretVariables(template);
  });
});

describe('relayTimeout', () => {
  it.each([
    [5, 20],
    [30, 30],
    [60, 60],
    [300, 60],
  ])('keeps a configured %i s within the schedule: %i s', (configured, expected) => {
    // Prepare
    const config = getTestConfig({ lambda: { timeoutSeconds: configured } });

    // Act / Assess
    expect(relayTimeout(config).toSeconds()).toBe(expected);
  });
});

describe('RelayStack, cdk-nag AWS Solutions', () => {
  it.each<[string, TaskflowConfig]>([
    ['prod, dsql', resolveConfig('prod', 'dsql', { account: '111111111111' })],
    [
      'prod, aurora-postgresql, two regions',
      resolveConfig('prod', 'aurora-postgresql', { account: '111111111111', multiRegion: true }),
    ],
  ])('leaves no finding unacknowledged (%s)', (_name, config) => {
    // Act
    const { app, stacks } = synthFixture(config, true);

    // Assess
    expect(() => app.synth({ force: true })).not.toThrow();
    for (const regionStacks of stacks.regions)
      Template.fromStack(regionStacks.relay).hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
      });
  });
});
