import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Props of {@link serviceStatement}. */
export interface ServiceStatementProps {
  readonly sid: string;
  /** The service principals, `events.amazonaws.com`. */
  readonly services: readonly string[];
  readonly actions: readonly string[];
  /** Defaults to `*`: in a key policy, the key the policy is attached to. */
  readonly resources?: readonly string[];
  /** Conditions besides `aws:SourceAccount`. */
  readonly conditions?: Readonly<Record<string, unknown>>;
}

/**
 * A resource-policy statement letting AWS services act on behalf of this account only: without
 * `aws:SourceAccount`, a service would act for another account's resource that names this one
 * (the confused deputy).
 */
export function serviceStatement(props: ServiceStatementProps): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: props.sid,
    principals: props.services.map((service) => new iam.ServicePrincipal(service)),
    actions: [...props.actions],
    resources: [...(props.resources ?? ['*'])],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ...props.conditions,
    },
  });
}
