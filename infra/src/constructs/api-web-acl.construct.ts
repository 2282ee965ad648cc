import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';

/**
 * Requests one source address may make in five minutes before WAF blocks it for a while: an
 * average of 10 per second, far above a person's board and far below a flood (the stage's
 * throttle caps everyone together, this caps each address).
 */
export const WAF_RATE_LIMIT_PER_ADDRESS = 3_000;

/** Props of {@link ApiWebAcl}. */
export interface ApiWebAclProps {
  readonly config: TaskflowConfig;
  readonly stage: apigateway.Stage;
}

/** CloudWatch metrics and sampled requests of a web ACL or rule, under `metricName`. */
export function wafVisibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

function managedRule(name: string, priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    overrideAction: { none: {} },
    visibilityConfig: wafVisibility(name),
  };
}

/**
 * The rules of every Taskflow web ACL (the REST API's and the board's distribution's): AWS's
 * common rule set, its known-bad-inputs set and {@link WAF_RATE_LIMIT_PER_ADDRESS} per address.
 */
export function taskflowWafRules(): wafv2.CfnWebACL.RuleProperty[] {
  return [
    managedRule('AWSManagedRulesCommonRuleSet', 0),
    managedRule('AWSManagedRulesKnownBadInputsRuleSet', 1),
    {
      name: 'RateLimitPerAddress',
      priority: 2,
      statement: {
        rateBasedStatement: {
          limit: WAF_RATE_LIMIT_PER_ADDRESS,
          aggregateKeyType: 'IP',
          evaluationWindowSec: 300,
        },
      },
      action: { block: {} },
      visibilityConfig: wafVisibility('RateLimitPerAddress'),
    },
  ];
}

/**
 * A regional WAFv2 web ACL on the REST API stage: AWS's common rule set (OWASP-style probes),
 * its known-bad-inputs set (Log4Shell and the like), and a per-address rate limit. Everything
 * else is allowed; every rule reports CloudWatch metrics and sampled requests.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly association: wafv2.CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const name = `${props.config.projectName}-${props.config.stage}-api`;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: 'Taskflow REST API: AWS managed rules and a per-address rate limit',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: wafVisibility(name),
      rules: taskflowWafRules(),
    });
    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage ARN is built from names, not read from the stage: wait for the stage itself.
    this.association.node.addDependency(props.stage);
  }
}
