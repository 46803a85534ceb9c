/**
 * The statements of the MySQL benchmark, written out as one script per client (the MariaDB
 * command-line client runs a script from its stdin). Pure: the same seed gives the same text.
 *
 * The table is sysbench's `sbtest1` shape (id, k, c CHAR(120), pad CHAR(60)) with TABLE_ROWS
 * rows, ids 1…TABLE_ROWS. Every value is a literal, as sysbench sends them with prepared
 * statements off and as pgbench -M simple does.
 */

export const TABLE = 'sbtest1';
export const TABLE_ROWS = 100_000;

export const WORKLOADS = ['point-select', 'read-write'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface Workload {
  /** What one transaction is, for the table's title. */
  title: string;
  /** Statements per transaction (BEGIN and COMMIT count). */
  statements: number;
  /** One transaction of client `client` (0-based) of `clients`. */
  transaction(random: Random, client: number, clients: number): string[];
}

/** A small seeded generator (mulberry32): the scripts are reproducible, and cheap to write. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  }

  /** `groups` groups of `digits` random digits joined by '-', as sysbench fills c and pad. */
  digits(groups: number, digits: number): string {
    const parts: string[] = [];
    for (let g = 0; g < groups; g++) parts.push(String(this.below(10 ** digits)).padStart(digits, '0'));
    return parts.join('-');
  }
}

/** Any row of the table. */
export const anyRow = (random: Random) => 1 + random.below(TABLE_ROWS);

/**
 * A row only this client writes: ids ≡ client + 1 (mod clients). Clients never wait on each
 * other's row locks, so the figures measure the paths, not lock queues (and no deadlock can
 * stop a run: the command-line client stops at the first error).
 */
export function ownRow(random: Random, client: number, clients: number): number {
  return client + 1 + clients * random.below(Math.floor(TABLE_ROWS / clients));
}

const select = (id: number) => `SELECT c FROM ${TABLE} WHERE id = ${id}`;

export const WORKLOAD: Record<WorkloadName, Workload> = {
  'point-select': {
    title: `point selects (SELECT c FROM ${TABLE} WHERE id = <random>, autocommit)`,
    statements: 1,
    transaction: (random) => [select(anyRow(random))],
  },
  'read-write': {
    title:
      'read-write (BEGIN; 4 point selects; UPDATE … SET k = k + 1 WHERE id = <own>; DELETE … WHERE id = <own>; INSERT that row again; COMMIT)',
    statements: 9,
    transaction(random, client, clients) {
      const updated = ownRow(random, client, clients);
      const replaced = ownRow(random, client, clients);
      return [
        'BEGIN',
        select(anyRow(random)),
        select(anyRow(random)),
        select(anyRow(random)),
        select(anyRow(random)),
        `UPDATE ${TABLE} SET k = k + 1 WHERE id = ${updated}`,
        `DELETE FROM ${TABLE} WHERE id = ${replaced}`,
        `INSERT INTO ${TABLE} (id, k, c, pad) VALUES (${replaced}, ${random.below(TABLE_ROWS)}, '${random.digits(10, 11)}', '${random.digits(5, 11)}')`,
        'COMMIT',
      ];
    },
  },
};

/** The named lock (GET_LOCK) the clients of a run wait on, so that they all start at once. */
export const START_LOCK = 'gatehouse_bench_start';

/**
 * The first statement of every script: it waits until the bench lets go of START_LOCK, takes
 * it and hands it on at once. Not counted as work; through a gateway it is one more statement
 * (a read of no table; GET_LOCK makes it need write), and one more ledger entry.
 */
export const START_GATE = `SELECT GET_LOCK('${START_LOCK}', 600), RELEASE_LOCK('${START_LOCK}')`;

/** The script of one client: START_GATE, then `transactions` transactions, one statement a line. */
export function clientScript(workload: WorkloadName, client: number, clients: number, transactions: number, seed: number): string {
  const random = new Random(seed * 1009 + client);
  const lines: string[] = [`${START_GATE};\n`];
  for (let t = 0; t < transactions; t++) for (const s of WORKLOAD[workload].transaction(random, client, clients)) lines.push(`${s};\n`);
  return lines.join('');
}

/**
 * How the table is made: sysbench's `sbtest1` (oltp_common.lua), with k, c and pad filled
 * from the id so that a re-created table is the same table.
 */
export const CREATE_TABLE = `CREATE TABLE ${TABLE} (
  id INT NOT NULL PRIMARY KEY,
  k INT NOT NULL DEFAULT 0,
  c CHAR(120) NOT NULL DEFAULT '',
  pad CHAR(60) NOT NULL DEFAULT '',
  KEY k_1 (k)
) ENGINE=InnoDB`;

/** INSERT statements that fill the table, `perStatement` rows each. */
export function fillStatements(perStatement = 2000): string[] {
  const statements: string[] = [];
  for (let first = 1; first <= TABLE_ROWS; first += perStatement) {
    const values: string[] = [];
    for (let id = first; id < first + perStatement && id <= TABLE_ROWS; id++) {
      const random = new Random(id);
      values.push(`(${id}, ${random.below(TABLE_ROWS)}, '${random.digits(10, 11)}', '${random.digits(5, 11)}')`);
    }
    statements.push(`INSERT INTO ${TABLE} (id, k, c, pad) VALUES ${values.join(', ')}`);
  }
  return statements;
}
