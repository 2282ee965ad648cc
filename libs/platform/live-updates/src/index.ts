/** Live project streams: the ports and the hub that fans committed events out to SSE and WebSocket subscribers. */
export * from './stream-cursor';
export * from './ports';
export * from './project-event-hub';
export * from './websocket';
