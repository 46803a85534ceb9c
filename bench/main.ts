/**
 * `npm run bench [-- <suite>…]`: each suite prints its tables and a JSON line (prefixed "json:").
 * Suites: ledger, pg, mysql. Benchmarks use this machine's PostgreSQL (GATEHOUSE_TEST_PG_URL), its
 * MariaDB (GATEHOUSE_TEST_MYSQL_URL) and temp dirs;
 * progress goes to stderr. A suite that cannot measure something says so (a note, or an error
 * and exit code 1); it never prints a figure it did not measure.
 */
import { BenchError } from './errors.js';
import { ledgerBench } from './ledger.js';
import { mysqlBench } from './mysql.js';
import { pgBench } from './pg.js';

const suites: Record<string, (args: string[]) => Promise<void>> = { ledger: ledgerBench, pg: pgBench, mysql: mysqlBench };
const [name = 'ledger', ...rest] = process.argv.slice(2);
const suite = suites[name];
if (!suite) {
  process.stderr.write(`unknown benchmark "${name}"; available: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
try {
  await suite(rest);
} catch (error) {
  if (!(error instanceof BenchError)) throw error;
  process.stderr.write(`bench ${name}: ${error.message}\n`);
  process.exit(1);
}
