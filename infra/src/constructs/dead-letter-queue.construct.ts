import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { serviceStatement } from './service-statement';

/** Props of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  readonly config: TaskflowConfig;
  /** What ends up here, for the queue's and the key's descriptions. */
  readonly holds: string;
}

/**
 * An SQS dead-letter queue encrypted with a customer key of its own stack, kept 14 days (SQS's
 * longest). EventBridge may write to it only for the rules named with {@link allowRule}: the
 * queue policy names the rule, and the key policy lets EventBridge encrypt for this account
 * (without it, an EventBridge DLQ on a KMS queue silently stays empty). A target of
 * `aws-events-targets` given this queue as its `deadLetterQueue` in the same stack writes that
 * queue-policy statement itself (aws:SourceArn = its rule): call {@link allowRule} only for a
 * rule whose target does not. Lambda's on-failure destinations write with the function's own
 * role ({@link grantSendMessages}).
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly key: kms.Key;
  /** Rules allowed so far: numbers the queue policy's statement ids, which must be unique. */
  private allowedRules = 0;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const removal = props.config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', {
      description: `Taskflow ${props.config.stage}: ${props.holds}`,
      enableKeyRotation: true,
      removalPolicy: removal,
    });
    this.key.addToResourcePolicy(
      serviceStatement({
        sid: 'AllowEventBridgeDeadLetters',
        services: ['events.amazonaws.com'],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      }),
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      // Data keys are reused for 5 minutes: fewer KMS calls when a failure dead-letters a burst.
      dataKeyReuse: Duration.minutes(5),
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      removalPolicy: removal,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue, of EventBridge rule targets or of Lambda on-failure destinations: those sources are not SQS queues, so no RedrivePolicy names it, and a queue behind it would only hold the same messages again',
    });
  }

  /** Lets one EventBridge rule send its undeliverable events here (queue policy on its ARN). */
  allowRule(ruleArn: string): void {
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowRule${String(++this.allowedRules)}`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    );
  }

  /**
   * Lets a principal (a function's role, for its on-failure destination) send messages: only
   * `sqs:SendMessage` on this queue and the two key actions sending to a KMS queue needs
   * (`queue.grantSendMessages` would add `kms:ReEncrypt*` and `kms:GenerateDataKey*`).
   */
  grantSendMessages(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
