import type { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { DeadLetterQueue } from './dead-letter-queue.construct';
import type { LiveFunction } from './live-alias.construct';

/** How Lambda retries an asynchronous invocation the function failed on. */
export interface AsyncInvokeRetry {
  /** Lambda's retries of a failed asynchronous invocation (0-2), about 1 and 2 minutes apart. */
  readonly attempts: number;
  /** How long an event may wait in Lambda's async queue (60 s-6 h), throttled or retried. */
  readonly maxEventAge: Duration;
}

/** Props of {@link EventInvokeFailures}. */
export interface EventInvokeFailuresProps {
  /**
   * The function, whose role sends the failure records, and the alias EventBridge invokes: the
   * configuration applies to the alias's invocations only.
   */
  readonly target: LiveFunction;
  readonly retry: AsyncInvokeRetry;
  /** Receives an invocation record (request, error, attempts) for every event given up on. */
  readonly onFailure: DeadLetterQueue;
}

/**
 * Lambda's asynchronous-invoke configuration of an alias, with an on-failure destination:
 * events the function threw on (after its retries) or that aged out of the async queue are
 * sent, as Lambda invocation records, to an encrypted queue. Lambda sends them with the
 * function's own role, which is granted `sqs:SendMessage` on that queue and its key's two
 * actions, and nothing more (no `SqsDestination`, whose grant adds wildcard KMS actions).
 */
export class EventInvokeFailures extends Construct {
  readonly config: lambda.EventInvokeConfig;

  constructor(scope: Construct, id: string, props: EventInvokeFailuresProps) {
    super(scope, id);
    const { onFailure, retry } = props;
    const { fn, live } = props.target;
    onFailure.grantSendMessages(fn);
    const destination: lambda.IDestination = {
      bind: () => ({ destination: onFailure.queue.queueArn }),
    };
    this.config = new lambda.EventInvokeConfig(this, 'Config', {
      function: fn,
      qualifier: live.alias.aliasName,
      retryAttempts: retry.attempts,
      maxEventAge: retry.maxEventAge,
      onFailure: destination,
    });
    // Lambda checks the destination permission when the configuration is created.
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) this.config.node.addDependency(policy);
    this.config.node.addDependency(live.alias);
  }
}
