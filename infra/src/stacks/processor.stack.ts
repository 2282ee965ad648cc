import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LiveAlias } from '../constructs/live-alias.construct';
import { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** The task processor: inbound `task.management` commands from the bus. */
export class ProcessorStack extends AppStack {
  readonly processor: TaskflowFunction;
  readonly processorLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  readonly deadLetterQueues: readonly sqs.IQueue[] = [];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    this.processor = new TaskflowFunction(this, 'Processor', {
      app: 'processor',
      config,
      bundleDir: props.bundleDir,
      description: 'Taskflow task processor: applies inbound task.management commands',
      ...(foundation.functionNetwork === undefined ? {} : { network: foundation.functionNetwork }),
    })
      .bindDatabase(foundation.database)
      .bindJwtSecret(foundation.jwtSecret)
      .bindEventBus(foundation.eventBus);
    this.processorLive = new LiveAlias(this, 'ProcessorLive', {
      fn: this.processor,
      config,
      provisioned: false,
    });
    this.functions = [{ fn: this.processor, live: this.processorLive }];
  }
}
