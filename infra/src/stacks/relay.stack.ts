import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LiveAlias } from '../constructs/live-alias.construct';
import { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** The outbox relay: publishes, on a schedule, every event the fast paths left behind. */
export class RelayStack extends AppStack {
  readonly relay: TaskflowFunction;
  readonly relayLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  readonly deadLetterQueues: readonly sqs.IQueue[] = [];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    this.relay = new TaskflowFunction(this, 'Relay', {
      app: 'relay',
      config,
      bundleDir: props.bundleDir,
      description: 'Taskflow outbox relay: publishes due events to the bus (scheduled)',
      ...(foundation.functionNetwork === undefined ? {} : { network: foundation.functionNetwork }),
    })
      .bindDatabase(foundation.database)
      .bindJwtSecret(foundation.jwtSecret)
      .bindEventBus(foundation.eventBus);
    this.relayLive = new LiveAlias(this, 'RelayLive', {
      fn: this.relay,
      config,
      provisioned: false,
    });
    this.functions = [{ fn: this.relay, live: this.relayLive }];
  }
}
