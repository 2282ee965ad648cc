/**
 * A configuration problem, reported before anything starts: the host stops with it, a Lambda
 * function fails its cold start with it. The message names the variables, never a value.
 */
export class ConfigError extends Error {}
