import type { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { EventPattern } from '@taskflow/platform-event-routing';
import { Construct } from 'constructs';
import type { DeadLetterQueue } from './dead-letter-queue.construct';

/**
 * How long and how often EventBridge keeps trying to hand an event to its target before it
 * dead-letters it. EventBridge accepts 0-185 attempts and an age of 60 s to 24 h.
 */
export interface EventRetryPolicy {
  readonly attempts: number;
  readonly maxEventAge: Duration;
}

/** What fires a rule: a pattern on a bus, or a schedule (on the account's default bus). */
export type EventRuleTrigger =
  | { readonly eventBus: events.IEventBus; readonly eventPattern: EventPattern }
  | { readonly schedule: events.Schedule };

/** Props of {@link EventLambdaRule}. */
export interface EventLambdaRuleProps {
  readonly ruleName: string;
  readonly description: string;
  readonly trigger: EventRuleTrigger;
  /** The function's `live` alias: a new version takes events only as the alias shifts. */
  readonly target: lambda.IFunction;
  readonly retry: EventRetryPolicy;
  /** Where EventBridge puts what it could not deliver; its queue policy names this rule. */
  readonly deadLetterQueue: DeadLetterQueue;
}

/**
 * An event pattern of `@taskflow/platform-event-routing` (EventBridge's own JSON, as the local bus
 * matches it) in CDK's shape, which spells `detail-type` as `detailType` and renders it back.
 */
export function cdkEventPattern(pattern: EventPattern): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(pattern))
    out[field === 'detail-type' ? 'detailType' : field] = value;
  return out;
}

/**
 * One EventBridge rule invoking one Lambda alias, with a retry policy and a KMS-encrypted
 * dead-letter queue for what EventBridge could not deliver (the target's
 * `lambda:InvokeFunction` permission and the queue policy both name this rule's ARN).
 *
 * EventBridge invokes Lambda asynchronously: this covers delivery only. What the function
 * fails to process is Lambda's async-invoke retries and on-failure destination to deal with
 * ({@link EventInvokeFailures}).
 */
export class EventLambdaRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: EventLambdaRuleProps) {
    super(scope, id);
    const { trigger } = props;
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.ruleName,
      description: props.description,
      ...('schedule' in trigger
        ? { schedule: trigger.schedule }
        : { eventBus: trigger.eventBus, eventPattern: cdkEventPattern(trigger.eventPattern) }),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.target, {
        retryAttempts: props.retry.attempts,
        maxEventAge: props.retry.maxEventAge,
        // CDK adds the queue policy (events.amazonaws.com, aws:SourceArn = this rule).
        deadLetterQueue: props.deadLetterQueue.queue,
      }),
    );
  }
}
