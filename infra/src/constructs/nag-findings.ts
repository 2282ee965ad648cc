import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag AWS Solutions findings on one construct, each rule (`APIG4`,
 * `IAM5[Resource::*]`) with the reason it does not apply here: synth fails on any other.
 */
export function acknowledgeFindings(
  construct: IConstruct,
  reasons: Readonly<Record<string, string>>,
): void {
  for (const [rule, reason] of Object.entries(reasons))
    Validations.of(construct).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}
