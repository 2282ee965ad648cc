import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { RegionStacks } from '../taskflow-app';

/** Variable names a secret value would travel in; only `*_ARN` names may appear. */
export const SECRET_VARIABLES = ['DATABASE_URL', 'DATABASE_PASSWORD', 'JWT_SECRET', 'PGPASSWORD'];

/** The resources section of a template, as `findResources` returns it. */
export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The stacks of the region at `index` (0 = primary); throws when the fixture has fewer. */
export function regionAt(
  stacks: { readonly regions: readonly RegionStacks[] },
  index: number,
): RegionStacks {
  const found = stacks.regions[index];
  if (found === undefined) throw new Error(`no region ${String(index)}`);
  return found;
}

/** cdk-nag runs as a validation plugin of the app: an unacknowledged finding fails synth. */
export function expectNagClean(app: App): void {
  expect(() => app.synth({ force: true })).not.toThrow();
}

/** The logical id of a construct's CloudFormation resource in its stack. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** `Fn::GetAtt` of a construct's resource, as the template spells it. */
export function getAttOf(construct: IConstruct, attribute = 'Arn'): unknown {
  return { 'Fn::GetAtt': [logicalIdOf(construct), attribute] };
}

/** Every function's environment variables in a template. */
export function functionEnvironments(template: Template): Record<string, unknown>[] {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  return Object.values(functions).map((f) => {
    const env = f.Properties?.['Environment'] as
      { Variables?: Record<string, unknown> } | undefined;
    return env?.Variables ?? {};
  });
}

/** No function of the template gets a secret's value in its environment. */
export function expectNoSecretVariables(template: Template): void {
  for (const variables of functionEnvironments(template))
    for (const name of SECRET_VARIABLES) expect(variables).not.toHaveProperty(name);
}

/** `Fn::GetAtt` of a resource's ARN, by its logical id. */
function arnOf(logicalId: string): unknown {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

/** Retries of an event, as the template counts them: attempts, and the age limit in seconds. */
export interface ExpectedRetry {
  readonly attempts: number;
  readonly maxAgeSeconds: number;
}

/**
 * A rule's target as the template spells it (its `Id` is CDK's): retried `attempts` times
 * for at most `maxAgeSeconds`, then dead-lettered into the queue `queueId`.
 */
export function retriedTarget(
  arn: unknown,
  retry: ExpectedRetry,
  queueId: string,
): Record<string, unknown> {
  return {
    Id: Match.anyValue(),
    Arn: arn,
    RetryPolicy: {
      MaximumRetryAttempts: retry.attempts,
      MaximumEventAgeInSeconds: retry.maxAgeSeconds,
    },
    DeadLetterConfig: { Arn: arnOf(queueId) },
  };
}

/** The statement `enforceSSL` puts in a queue's or topic's policy: nothing but TLS. */
export const DENY_INSECURE_TRANSPORT = Match.objectLike({
  Effect: 'Deny',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/**
 * The queue's policy refuses plain HTTP and lets EventBridge send to the queue for one rule
 * only (`aws:SourceArn`): a rule's dead-letter queue, which no other rule may fill.
 */
export function expectRuleMayDeadLetter(template: Template, queueId: string, ruleId: string): void {
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: queueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        DENY_INSECURE_TRANSPORT,
        Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arnOf(queueId),
          Condition: { ArnEquals: { 'aws:SourceArn': arnOf(ruleId) } },
        }),
      ]),
    },
  });
}

/**
 * A dead-letter queue kept 14 days (SQS's longest), encrypted with a rotated key of its own
 * that EventBridge may use for this account (else its dead letters would silently be lost).
 */
export function expectEncryptedDeadLetters(
  template: Template,
  queueId: string,
  keyId: string,
): void {
  const queue = (template.findResources('AWS::SQS::Queue') as Resources)[queueId];
  expect(queue?.Properties).toMatchObject({
    KmsMasterKeyId: arnOf(keyId),
    MessageRetentionPeriod: 1_209_600,
  });
  const key = (template.findResources('AWS::KMS::Key') as Resources)[keyId];
  expect(key?.Properties).toMatchObject({ EnableKeyRotation: true });
  const policy = key?.Properties?.['KeyPolicy'] as { Statement: unknown[] } | undefined;
  expect(policy?.Statement).toContainEqual(
    expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }),
  );
}

/**
 * The function's role (logical id starting with `rolePrefix`) may send Lambda's invocation
 * records to its on-failure queue, with no more than a send needs: `sqs:SendMessage` on that
 * queue, and the key's two actions through SQS of the region.
 */
export function expectOnFailureGrant(
  template: Template,
  rolePrefix: string,
  dlq: { readonly queueId: string; readonly keyId: string },
  region = 'us-east-1',
): void {
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(dlq.queueId) },
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: arnOf(dlq.keyId),
          Condition: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
        },
      ]),
    },
  });
}

/** The logical ids of a dead-letter queue's queue and key, for the expectations above. */
export function deadLetterIds(dlq: { readonly queue: IConstruct; readonly key: IConstruct }): {
  queueId: string;
  keyId: string;
} {
  return { queueId: logicalIdOf(dlq.queue), keyId: logicalIdOf(dlq.key) };
}

/**
 * Lambda retries the failed asynchronous invocations of the function's live alias `attempts`
 * times, for at most `maxAgeSeconds`, then records them in the queue, which the function's role
 * (`<function id>Role`) may send to.
 */
export function expectLiveInvokeFailures(
  template: Template,
  fn: IConstruct,
  retry: ExpectedRetry,
  dlq: { readonly queue: IConstruct; readonly key: IConstruct },
): void {
  const ids = deadLetterIds(dlq);
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: logicalIdOf(fn) },
    Qualifier: 'live',
    MaximumRetryAttempts: retry.attempts,
    MaximumEventAgeInSeconds: retry.maxAgeSeconds,
    DestinationConfig: { OnFailure: { Destination: arnOf(ids.queueId) } },
  });
  expectOnFailureGrant(template, `${fn.node.id}Role`, ids);
}
