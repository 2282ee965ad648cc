import { tokenFor } from '../demo-user';
import { runCommand } from './run-command';
import { helpIfAsked } from './usage';

const USAGE = `usage: npm run -s token -- <email> ["Display Name"] [--ttl <seconds>]

Registers the user if missing and prints only a token for it (valid 12 h unless --ttl), so that
TOKEN=$(npm run -s token -- alice@example.com "Alice") works.`;

// `npm run -s token -- alice@example.com "Alice"`: registers the user if missing and prints
// only a token for it, so that `TOKEN=$(npm run -s token -- ...)` works.
const args = process.argv.slice(2);
helpIfAsked(args, USAGE);
const ttlAt = args.indexOf('--ttl');
const ttl = ttlAt >= 0 ? Number(args[ttlAt + 1]) : 12 * 60 * 60;
const positional = ttlAt >= 0 ? args.filter((_, i) => i !== ttlAt && i !== ttlAt + 1) : args;
const [email, name] = positional;
if (email === undefined || !Number.isInteger(ttl) || ttl <= 0) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
runCommand(async (host) => {
  const token = await tokenFor(host, email, name ?? email.split('@')[0] ?? email, ttl);
  process.stdout.write(`${token}\n`);
});
