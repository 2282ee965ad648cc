import type { Context } from 'aws-lambda';
import { LAMBDA_NEEDS, type LambdaAppName, type LambdaConfig, loadLambdaConfig } from './config';
import { type InvocationRuntime, lambdaHandler } from './runtime';
import { createTelemetry, type Telemetry } from './telemetry';

/**
 * The {@link lambdaHandler} of the app `name`: its cold start reads the configuration `name`
 * needs from the environment, makes its telemetry and hands both to `open`.
 */
export function lambdaApp<T extends InvocationRuntime, E, R>(
  name: LambdaAppName,
  open: (config: LambdaConfig, telemetry: Telemetry) => Promise<T>,
  work: (runtime: T, event: E, context: Context) => Promise<R>,
): ReturnType<typeof lambdaHandler<T, E, R>> {
  return lambdaHandler(
    () => open(loadLambdaConfig(process.env, LAMBDA_NEEDS[name]), createTelemetry(name)),
    work,
  );
}

/** What {@link logLifecycle} reads of a WebSocket `$connect` or `$disconnect` event. */
export interface LifecycleEventContext {
  readonly requestContext: { readonly requestId: string; readonly connectionId: string };
}

/**
 * Handles a WebSocket lifecycle event with API Gateway's request id as the logs' correlation id,
 * then logs `action` with the connection and the status answered.
 */
export async function logLifecycle<R extends { readonly statusCode: number }>(
  telemetry: Telemetry,
  action: string,
  event: LifecycleEventContext,
  handle: () => Promise<R>,
): Promise<R> {
  telemetry.logger.setCorrelationId(event.requestContext.requestId);
  const result = await handle();
  telemetry.logger.info(action, {
    connectionId: event.requestContext.connectionId,
    status: result.statusCode,
  });
  return result;
}
