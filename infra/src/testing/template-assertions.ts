import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
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
