import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LiveAlias } from '../constructs/live-alias.construct';
import { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** The REST API of one region: the api function behind API Gateway. */
export class ApiStack extends AppStack {
  readonly api: TaskflowFunction;
  readonly apiLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  readonly deadLetterQueues: readonly sqs.IQueue[] = [];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    this.api = new TaskflowFunction(this, 'Api', {
      app: 'api',
      config,
      bundleDir: props.bundleDir,
      description: 'Taskflow REST API (API Gateway proxy integration)',
      ...(foundation.functionNetwork === undefined ? {} : { network: foundation.functionNetwork }),
    })
      .bindDatabase(foundation.database)
      .bindJwtSecret(foundation.jwtSecret)
      .bindEventBus(foundation.eventBus);
    this.apiLive = new LiveAlias(this, 'ApiLive', { fn: this.api, config, provisioned: true });
    this.functions = [{ fn: this.api, live: this.apiLive }];
  }
}
