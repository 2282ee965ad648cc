import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createTelemetry, METRICS_NAMESPACE } from './telemetry';

/** The namespace and dimensions of the EMF document the metrics would print. */
function emitted(env: NodeJS.ProcessEnv): { namespace: unknown; service: unknown } {
  const { metrics } = createTelemetry('relay', env);
  metrics.addMetric('OutboxLag', MetricUnit.Milliseconds, 5);
  const doc = metrics.serializeMetrics() as unknown as {
    _aws: { CloudWatchMetrics: { Namespace: string }[] };
    service?: string;
  };
  return { namespace: doc._aws.CloudWatchMetrics[0]?.Namespace, service: doc.service };
}

describe('createTelemetry', () => {
  it("writes to the deployment's namespace when POWERTOOLS_METRICS_NAMESPACE names one", () => {
    expect(emitted({ POWERTOOLS_METRICS_NAMESPACE: 'Taskflow/taskflow-prod' })).toEqual({
      namespace: 'Taskflow/taskflow-prod',
      service: 'taskflow-relay',
    });
  });

  it('writes to Taskflow otherwise (local runs, tests)', () => {
    expect(emitted({})).toEqual({ namespace: METRICS_NAMESPACE, service: 'taskflow-relay' });
    expect(emitted({ POWERTOOLS_METRICS_NAMESPACE: '' }).namespace).toBe(METRICS_NAMESPACE);
  });
});
