import { fromApiGatewayEvent, toApiGatewayResult } from '@taskflow/platform-http';
import { openLambdaRuntime } from '@taskflow/app-composition';
import { lambdaApp } from '@taskflow/platform-lambda-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * The HTTP API behind API Gateway (REST proxy integration): the same transport-neutral API as
 * the local Express host. A command's events are published before the response returns.
 */
export const { handler, ready } = lambdaApp(
  'api',
  openLambdaRuntime,
  async (runtime, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const translated = fromApiGatewayEvent(event);
    // Without a caller-chosen X-Request-Id, API Gateway's own request id correlates the logs,
    // the events this request writes and the processor's logs.
    const apiGatewayRequestId = (event as Partial<APIGatewayProxyEvent>).requestContext?.requestId;
    const request =
      translated.headers['x-request-id'] === undefined && apiGatewayRequestId !== undefined
        ? {
            ...translated,
            headers: { ...translated.headers, 'x-request-id': apiGatewayRequestId },
          }
        : translated;
    const { logger } = runtime.telemetry;
    // Known before handling when given, so that errors logged while handling carry it too.
    logger.setCorrelationId(request.headers['x-request-id']);
    const response = await runtime.core.api.handle(request);
    logger.setCorrelationId(response.headers['x-request-id']);
    logger.info('request', {
      method: request.method,
      path: request.path,
      status: response.status,
    });
    return toApiGatewayResult(response, request.method);
  },
);
