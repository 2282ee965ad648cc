import { join } from 'node:path';
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { boardConfig } from '../constructs/web-board-config';
import { WebBoardDeployment } from '../constructs/web-deployment.construct';
import type { WebHosting } from '../constructs/web-hosting.construct';
import type { ApiStack } from './api.stack';
import type { FoundationStack } from './foundation.stack';
import type { RealtimeStack } from './realtime.stack';

/** Props of {@link WebStack}. */
export interface WebStackProps extends StackProps {
  readonly config: TaskflowConfig;
  /** The primary region's foundation, which holds the board's bucket and distribution. */
  readonly foundation: FoundationStack;
  /** The primary region's api stack: the API the board calls and the user pool it signs in to. */
  readonly api: ApiStack;
  /** The primary region's realtime stack: the WebSocket API the board follows projects on. */
  readonly realtime: RealtimeStack;
  /** The repository's `dist`, holding the board's build in `apps/web`. */
  readonly bundleDir: string;
}

/**
 * The API's base URL as the board calls it, without a trailing slash: the custom domain when
 * there is one (region-neutral: it routes to the nearest healthy region), else the primary
 * region's `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`.
 */
export function boardApiUrl(config: TaskflowConfig, api: ApiStack): string {
  const domain = config.customDomain;
  if (domain !== undefined) return `https://${domain.domainName}`;
  const { restApiId } = api.restApi.api;
  // Aws.URL_SUFFIX, not the api stack's: a pseudo parameter of the stack that reads it.
  return `https://${restApiId}.execute-api.${api.region}.${Aws.URL_SUFFIX}/${api.restApi.stage.stageName}`;
}

/**
 * The WebSocket stage's URL as the board connects to it: the primary region's
 * `wss://<api id>.execute-api.<region>.<suffix>/<stage>` (the custom domain maps the REST API
 * only). With two regions it still gets every event: the other region's realtime stack
 * forwards the events put on its bus to this region's, whose broadcaster posts them here.
 */
export function boardLiveUrl(realtime: RealtimeStack): string {
  const { apiId } = realtime.webSocketApi;
  return `wss://${apiId}.execute-api.${realtime.region}.${Aws.URL_SUFFIX}/${realtime.webSocketStage.stageName}`;
}

/**
 * The web board, deployed once (in the primary region) after the api and realtime stacks: its
 * build and a `config.json` naming the API, the WebSocket API of live updates and the user
 * pool's web client, uploaded to the foundation's bucket. A change to the board redeploys this stack only.
 */
export class WebStack extends Stack {
  readonly hosting: WebHosting;
  readonly deployment: WebBoardDeployment;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, foundation, api, realtime } = props;
    const hosting = foundation.webHosting;
    if (hosting === null) throw new Error(`${foundation.stackName} has no web hosting`);
    this.hosting = hosting;
    this.addStackDependency(foundation, 'the bucket and the distribution come first');
    this.addStackDependency(api, 'config.json names the API and the user pool client');
    this.addStackDependency(realtime, 'config.json names the WebSocket API of live updates');

    const { userPool } = api;
    this.deployment = new WebBoardDeployment(this, 'Board', {
      config,
      hosting,
      webDir: join(props.bundleDir, 'apps', 'web'),
      boardConfig: boardConfig({
        apiUrl: boardApiUrl(config, api),
        liveUrl: boardLiveUrl(realtime),
        hostedUiUrl: userPool.hostedUiUrl,
        clientId: userPool.webClient.userPoolClientId,
      }),
    });

    new CfnOutput(this, 'BoardUrl', {
      description: 'The web board: open it and sign in on the hosted UI',
      value: `${hosting.origin}/`,
    });
  }
}
