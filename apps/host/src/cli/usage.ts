/**
 * Handles a command's `--help` (or `-h`): prints `usage` on stdout and exits 0, as asking for help
 * is a success. Called before anything else, so help needs no database and changes nothing.
 */
export function helpIfAsked(args: readonly string[], usage: string): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
}

/** Refuses arguments a command that takes none was given: they are typos, not options to ignore. */
export function refuseArguments(args: readonly string[], usage: string): void {
  if (args.length > 0) {
    process.stderr.write(`unknown argument ${args[0] ?? ''}\n\n${usage}\n`);
    process.exit(2);
  }
}
