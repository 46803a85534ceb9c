/**
 * `npm run bench [-- <suite>…]`: each suite prints its tables and a JSON line (prefixed "json:").
 * Suites: ledger. Benchmarks use this machine's PostgreSQL (GATEHOUSE_TEST_PG_URL) and temp dirs.
 */
import { ledgerBench } from './ledger.js';

const suites: Record<string, (args: string[]) => Promise<void>> = { ledger: ledgerBench };
const [name = 'ledger', ...rest] = process.argv.slice(2);
const suite = suites[name];
if (!suite) {
  process.stderr.write(`unknown benchmark "${name}"; available: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
await suite(rest);
