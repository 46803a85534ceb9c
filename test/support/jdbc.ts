import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../../bench/tools.js';
import { run } from './gateway.js';

/**
 * A real JDBC program through the gateway: test/fixtures/jdbc/GatehouseJdbc.java, compiled
 * once per test run against MariaDB Connector/J. Like psql, mysql and PgBouncer, the JDK and
 * the driver are tools the tests drive for real: a missing one fails the tests, never skips them.
 */

export const INSTALL_JDBC = 'apt-get install default-jdk-headless libmariadb-java (Debian/Ubuntu; .ci/run installs them)';

/** Run from dist/test/support/; the fixture stays in the source tree (tsc does not copy it). */
const SOURCE = fileURLToPath(new URL('../../../test/fixtures/jdbc/GatehouseJdbc.java', import.meta.url));

/** Where distributions put Connector/J's jar (Debian's libmariadb-java: /usr/share/java). */
const JAR_DIRS = ['/usr/share/java'];

export interface JdbcTools {
  javac: string;
  java: string;
  jar: string;
}

/** MariaDB Connector/J's jar: the unversioned name packages link to the current one, else the highest version. */
export function findConnectorJ(dirs: readonly string[] = JAR_DIRS): string | undefined {
  for (const dir of dirs) {
    if (existsSync(join(dir, 'mariadb-java-client.jar'))) return join(dir, 'mariadb-java-client.jar');
    const versioned = existsSync(dir) ? readdirSync(dir).filter((f) => /^mariadb-java-client.*\.jar$/.test(f)) : [];
    const newest = versioned.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
    if (newest) return join(dir, newest);
  }
  return undefined;
}

/** javac, java and the driver's jar; throws naming what is missing and how to install it. */
export function jdbcTools(): JdbcTools {
  const home = process.env.JAVA_HOME;
  const inHome = (name: string) => (home ? [join(home, 'bin', name)] : []);
  const found = { javac: findExecutable('javac', inHome('javac')), java: findExecutable('java', inHome('java')), jar: findConnectorJ() };
  const missing = Object.entries(found).filter(([, path]) => path === undefined).map(([name]) => (name === 'jar' ? 'mariadb-java-client*.jar' : name));
  if (missing.length > 0) throw new Error(`the JDBC test needs ${missing.join(', ')}; install them (${INSTALL_JDBC})`);
  return found as JdbcTools;
}

/** A bound parameter: a number is bound with setLong, a string with setString. */
export type JdbcParam = number | string | null;

export type JdbcStep =
  | { sql: string }
  | { prepare: string; params: JdbcParam[] }
  | { autocommit: boolean }
  | 'commit'
  | 'rollback';

export interface JdbcError {
  code: number;
  sqlstate: string | null;
  message: string;
}

/** One printed line: the login's first, then one per step. Column values come as strings (getString). */
export type JdbcLine =
  | { connected: true }
  | { rows: Record<string, string | null>[] }
  | { update: number }
  | { ok: true }
  | { error: JdbcError };

/** The program's argument for a step (fields separated by tabs, see GatehouseJdbc.java). */
function stepArg(step: JdbcStep): string {
  const fields =
    step === 'commit' || step === 'rollback'
      ? [step]
      : 'sql' in step
        ? ['sql', step.sql]
        : 'prepare' in step
          ? ['prepare', step.prepare, ...step.params.map((p) => (p === null ? 'null' : typeof p === 'number' ? `i:${p}` : `s:${p}`))]
          : ['autocommit', String(step.autocommit)];
  if (fields.some((f) => f.includes('\t'))) throw new Error('a JDBC step cannot hold a tab');
  return fields.join('\t');
}

export interface JdbcClient {
  /** Logs in with DriverManager.getConnection(url, user, password) and runs the steps on that connection. */
  run(url: string, user: string, password: string, steps: JdbcStep[]): Promise<JdbcLine[]>;
  dispose(): void;
}

let compiled: Promise<JdbcClient> | undefined;

/** The compiled program (compiled on first use, into a temp dir removed at dispose). */
export function jdbcClient(): Promise<JdbcClient> {
  return (compiled ??= compile());
}

async function compile(): Promise<JdbcClient> {
  const tools = jdbcTools();
  const out = mkdtempSync(join(tmpdir(), 'gatehouse-jdbc-'));
  const built = await run(tools.javac, ['-d', out, '-cp', tools.jar, SOURCE]);
  if (built.code !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`javac failed (${built.code}): ${built.stderr}`);
  }
  const classpath = [out, tools.jar].join(delimiter);
  return {
    async run(url, user, password, steps) {
      const r = await run(tools.java, ['-cp', classpath, 'GatehouseJdbc', url, user, password, ...steps.map(stepArg)]);
      if (r.code !== 0) throw new Error(`the JDBC program failed (${r.code}): ${r.stderr}`);
      return r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as JdbcLine);
    },
    dispose() {
      rmSync(out, { recursive: true, force: true });
      compiled = undefined;
    },
  };
}
