import { Match, Template } from 'aws-cdk-lib/assertions';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { primaryStackFixture, synthFixture } from '../testing/synth-fixture';
import { relayTimeout } from './relay.stack';
import {
  deadLetterIds,
  expectEncryptedDeadLetters,
  expectNoSecretVariables,
  expectLiveInvokeFailures,
  expectRuleMayDeadLetter,
  functionEnvironments,
  getAttOf,
  logicalIdOf,
  retriedTarget,
} from '../testing/template-assertions';

describe('RelayStack (dev preset, aurora-postgresql, one region)', () => {
  const { stack, template } = primaryStackFixture(getTestConfig(), 'relay');
  const missedRuns = deadLetterIds(stack.missedRuns);
  const alias = { Ref: logicalIdOf(stack.relayLive.alias) };

  it('runs the live alias every minute from the default bus, with retry and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'taskflow-dev-relay-schedule',
      ScheduleExpression: 'rate(1 minute)',
      EventBusName: Match.absent(),
      State: 'ENABLED',
      Targets: [retriedTarget(alias, { attempts: 2, maxAgeSeconds: 60 }, missedRuns.queueId)],
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
    const noRetry = { attempts: 0, maxAgeSeconds: 60 };
    expectLiveInvokeFailures(template, stack.relay, noRetry, stack.missedRuns);
  });

  it('encrypts the queue with its own key, which EventBridge may use, and lets only the schedule rule send', () => {
    expect(stack.deadLetterQueues).toEqual([stack.missedRuns.queue]);
    expectEncryptedDeadLetters(template, missedRuns.queueId, missedRuns.keyId);
    expectRuleMayDeadLetter(template, missedRuns.queueId, logicalIdOf(stack.scheduleRule));
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
