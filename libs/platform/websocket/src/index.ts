/** The API Gateway WebSocket handlers: connect (admission), disconnect and broadcast of live events. */
export * from './websocket-events';
export * from './api-gateway-connection.sender';
export * from './connect.handler';
export * from './disconnect.handler';
export * from './broadcast.handler';
