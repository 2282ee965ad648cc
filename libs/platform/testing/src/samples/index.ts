export * from './sample-ids';
export * from './sample-envelopes';
export * from './sample-connections';
export * from './broadcast-outcome';
