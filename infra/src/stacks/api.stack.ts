import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { corsOriginsWith, dualStack, TaskflowRestApi } from '../constructs/api-rest-api.construct';
import { ApiWebAcl } from '../constructs/api-web-acl.construct';
import {
  bindJwksVerifier,
  type JwksSettings,
  TaskflowUserPool,
} from '../constructs/cognito-user-pool.construct';
import { ApiCustomDomain } from '../constructs/custom-domain.construct';
import type { LiveAlias } from '../constructs/live-alias.construct';
import type { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** Props of {@link ApiStack}. */
export interface ApiStackProps extends AppStackProps {
  /** The primary region's api stack, whose user pool a secondary region's function trusts. */
  readonly primary?: ApiStack;
  /**
   * The web board's origin (`https://<distribution domain>`, the primary foundation's), when
   * the board is deployed: the user pool client returns to it, and every region's API answers
   * CORS for it (a custom domain may route the board's calls to either region).
   */
  readonly webOrigin?: string;
}

/**
 * The REST API of one region: the api function's `live` alias behind a regional API Gateway
 * REST API (usage plan and key, WAF, source-address policy and custom domain as configured),
 * and the Cognito user pool whose ID tokens the function verifies.
 *
 * There is one user pool per deployment, in the primary region's api stack: a person signs up
 * once and their token is good in every region, which the latency-routed custom domain needs
 * (a caller may reach either region). The secondary region's function trusts the primary's
 * pool through cross-region references; sign-in (not the API) depends on the primary region.
 */
export class ApiStack extends AppStack {
  readonly api: TaskflowFunction;
  readonly apiLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  readonly deadLetterQueues: readonly sqs.IQueue[] = [];
  readonly restApi: TaskflowRestApi;
  /** The deployment's user pool (created here in the primary region, else the primary's). */
  readonly userPool: TaskflowUserPool;
  readonly webAcl: ApiWebAcl | null;
  readonly customDomain: ApiCustomDomain | null;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    const { config, foundation } = props;
    // The secondary region reads the primary's user pool ids (SSM-backed references).
    super(scope, id, { ...props, crossRegionReferences: config.multiRegion });
    const primaryRegion = config.regions.primary;
    const isPrimary = Stack.of(this).region === primaryRegion;

    if (!isPrimary && props.primary === undefined)
      throw new Error(`the api stack in ${Stack.of(this).region} needs the primary region's`);
    this.userPool =
      isPrimary || props.primary === undefined
        ? new TaskflowUserPool(this, 'Users', {
            config,
            ...(props.webOrigin === undefined ? {} : { webOrigin: props.webOrigin }),
          })
        : props.primary.userPool;
    const corsOrigins = corsOriginsWith(config.api.corsOrigins, props.webOrigin);
    const jwks: JwksSettings = this.userPool.jwks;

    const apiFunction = this.publishingFunction(
      'Api',
      {
        app: 'api',
        description: 'Taskflow REST API (API Gateway proxy integration)',
        environment: { CORS_ALLOWED_ORIGINS: corsOrigins.join(',') },
      },
      true,
    );
    this.api = apiFunction.fn;
    this.apiLive = apiFunction.live;
    bindJwksVerifier(this.api, jwks);
    this.functions = [apiFunction];

    const domain = config.customDomain;
    this.restApi = new TaskflowRestApi(this, 'Gateway', {
      config,
      handler: this.apiLive.alias,
      accountLoggingRole: foundation.apiGatewayAccount,
      healthOpenToAnyAddress: domain?.healthChecks === true,
      corsOrigins,
    });
    const { api, stage } = this.restApi;

    if (config.api.waf) this.webAcl = new ApiWebAcl(this, 'Waf', { config, stage });
    else {
      this.webAcl = null;
      Validations.of(stage).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG3',
        reason:
          'No web ACL in this stage (config.api.waf is off in dev: WAF bills per ACL, rule and request); the stage throttle and the API key or token still bound every caller. The prod preset associates one',
      });
    }

    this.customDomain =
      domain === undefined
        ? null
        : new ApiCustomDomain(this, 'Domain', {
            domain,
            api,
            stage,
            dualStack: dualStack(config),
          });

    this.outputs(jwks);
  }

  private outputs(jwks: JwksSettings): void {
    const { restApi, userPool } = this;
    const region = Stack.of(this).region;
    const key = restApi.apiKey;
    const keyHeader =
      key === null
        ? ''
        : ` -H "x-api-key: $(aws apigateway get-api-key --region ${region} --api-key ${key.keyId} --include-value --query value --output text)"`;
    new CfnOutput(this, 'ApiUrl', { value: restApi.api.url });
    new CfnOutput(this, 'HealthCommand', {
      description: 'No token and no API key: 200 when the API and its database are up',
      value: `curl ${restApi.urlFor('health')}`,
    });
    new CfnOutput(this, 'MeCommand', {
      description:
        "The signed-in user. The ID token (not the access token) comes from the user pool: sign in on the hosted UI with the web client (authorization code + PKCE) and take the token response's id_token",
      value: `curl -H "Authorization: Bearer <id token>"${keyHeader} ${restApi.urlFor('users/me')}`,
    });
    new CfnOutput(this, 'ApiFunctionName', { value: this.api.functionName });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: jwks.audience });
    new CfnOutput(this, 'HostedUiDomain', { value: userPool.hostedUiUrl });
    if (key !== null) {
      new CfnOutput(this, 'ApiKeyId', { value: key.keyId });
      new CfnOutput(this, 'GetApiKeyCommand', {
        description: 'Prints the API key to send as x-api-key (the value is not in the template)',
        value: `aws apigateway get-api-key --region ${region} --api-key ${key.keyId} --include-value --query value --output text`,
      });
    }
    if (this.customDomain !== null)
      new CfnOutput(this, 'CustomDomainUrl', { value: this.customDomain.url });
  }
}
