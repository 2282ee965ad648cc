export * from './websocket-events';
export * from './api-gateway-connection.sender';
export * from './connect.handler';
export * from './disconnect.handler';
export * from './broadcast.handler';
