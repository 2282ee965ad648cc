export * from './stream-cursor';
export * from './ports';
export * from './project-event-hub';
export * from './websocket';
