import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { EventPattern } from '@taskflow/platform-event-routing';
import { Construct } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import type { DeadLetterQueue } from './dead-letter-queue.construct';
import { cdkEventPattern, type EventRetryPolicy } from './event-lambda-rule.construct';
import { serviceStatement } from './service-statement';

/** Props of {@link EventLogArchive}. */
export interface EventLogArchiveProps {
  readonly config: TaskflowConfig;
  readonly eventBus: events.IEventBus;
  readonly eventPattern: EventPattern;
  readonly ruleName: string;
  readonly description: string;
  /** Must start with `/aws/events/` (the prefix EventBridge's console and docs expect). */
  readonly logGroupName: string;
  readonly retry: EventRetryPolicy;
  readonly deadLetterQueue: DeadLetterQueue;
}

/**
 * A rule copying matching events into a CloudWatch Logs log group (searchable with Logs
 * Insights, kept for the configured retention), with a retry policy and a dead-letter queue.
 *
 * EventBridge writes to a log group through the log group's resource policy only. CDK's
 * `CloudWatchLogGroup` target sets that policy with a custom resource (a Lambda function
 * calling `logs:PutResourcePolicy` on `*`); here it is a plain `AWS::Logs::ResourcePolicy`
 * naming this log group alone, for EventBridge of this account.
 */
export class EventLogArchive extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;
  readonly resourcePolicy: logs.ResourcePolicy;

  constructor(scope: Construct, id: string, props: EventLogArchiveProps) {
    super(scope, id);
    const { config, deadLetterQueue } = props;
    if (!props.logGroupName.startsWith('/aws/events/'))
      throw new Error(`${props.logGroupName}: an EventBridge log group starts with /aws/events/`);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: logRetention(config),
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.resourcePolicy = new logs.ResourcePolicy(this, 'ResourcePolicy', {
      // One per region and name; an account holds at most 10 log resource policies per region.
      resourcePolicyName: `${props.ruleName}-to-logs`,
      policyStatements: [
        serviceStatement({
          sid: 'AllowEventBridgeToWrite',
          services: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.ruleName,
      description: props.description,
      eventBus: props.eventBus,
      eventPattern: cdkEventPattern(props.eventPattern),
    });
    const logGroup = this.logGroup;
    this.rule.addTarget({
      bind: () => ({
        // The target names the log group without the `:*` its logGroupArn ends in.
        arn: Stack.of(logGroup).formatArn({
          service: 'logs',
          resource: 'log-group',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          resourceName: logGroup.logGroupName,
        }),
        retryPolicy: {
          maximumRetryAttempts: props.retry.attempts,
          maximumEventAgeInSeconds: props.retry.maxEventAge.toSeconds(),
        },
        deadLetterConfig: { arn: deadLetterQueue.queue.queueArn },
        targetResource: logGroup,
      }),
    });
    deadLetterQueue.allowRule(this.rule.ruleArn);
    // Events are written only once the policy lets them in.
    this.rule.node.addDependency(this.resourcePolicy);
  }
}
