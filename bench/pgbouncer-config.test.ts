import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pgbouncerIni, pgbouncerUserlist, type PgbouncerOptions } from './pgbouncer-config.js';

const OPTIONS: PgbouncerOptions = {
  listenHost: '127.0.0.1',
  listenPort: 16432,
  serverHost: '127.0.0.1',
  serverPort: 5432,
  alias: 'gatehouse_bench',
  database: 'gatehouse_bench',
  serverUser: 'postgres',
  poolMode: 'session',
  maxClientConn: 2000,
  defaultPoolSize: 40,
  authFile: '/tmp/x/userlist.txt',
};

/** The ini as section → key → value (the last value wins, as in PgBouncer). */
function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current = '';
  for (const line of text.split('\n')) {
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) sections[(current = section[1]!)] = {};
    const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (kv && current) sections[current]![kv[1]!] = kv[2]!;
  }
  return sections;
}

describe('pgbouncerIni', () => {
  it('writes one alias to the server database, the listen address, pool settings and trust auth', () => {
    const ini = parseIni(pgbouncerIni(OPTIONS));
    assert.deepEqual(ini.databases, { gatehouse_bench: 'host=127.0.0.1 port=5432 dbname=gatehouse_bench user=postgres' });
    const p = ini.pgbouncer!;
    assert.equal(p.listen_addr, '127.0.0.1');
    assert.equal(p.listen_port, '16432');
    assert.equal(p.pool_mode, 'session');
    assert.equal(p.max_client_conn, '2000');
    assert.equal(p.default_pool_size, '40');
    assert.equal(p.auth_type, 'trust');
    assert.equal(p.auth_file, '/tmp/x/userlist.txt');
    assert.equal(p.unix_socket_dir, '');
    assert.equal(p.logfile, '');
    assert.equal(p.user, undefined);
  });

  it('writes transaction mode and the user to switch to when asked', () => {
    const ini = parseIni(pgbouncerIni({ ...OPTIONS, poolMode: 'transaction', defaultPoolSize: 5, runAsUser: 'postgres' }));
    assert.equal(ini.pgbouncer!.pool_mode, 'transaction');
    assert.equal(ini.pgbouncer!.default_pool_size, '5');
    assert.equal(ini.pgbouncer!.user, 'postgres');
  });

  it('refuses names that would need quoting, bad ports and counts', () => {
    for (const bad of [
      { alias: 'a b' },
      { database: "x' host=evil" },
      { database: 'x\nlisten_port = 1' },
      { serverUser: '' },
      { serverHost: 'h;x' },
      { runAsUser: 'root user' },
      { listenPort: 0 },
      { serverPort: 70000 },
      { listenPort: 1.5 },
      { maxClientConn: 0 },
      { defaultPoolSize: -1 },
      { authFile: '/tmp/a\nuser = root' },
      { authFile: '' },
    ]) {
      assert.throws(() => pgbouncerIni({ ...OPTIONS, ...bad }), RangeError, JSON.stringify(bad));
    }
  });
});

describe('pgbouncerUserlist', () => {
  it('writes one quoted line per user with an empty password', () => {
    assert.equal(pgbouncerUserlist(['postgres', 'bench']), '"postgres" ""\n"bench" ""\n');
    assert.equal(pgbouncerUserlist([]), '');
  });

  it('refuses a user name that would break the line', () => {
    assert.throws(() => pgbouncerUserlist(['a"b']), RangeError);
    assert.throws(() => pgbouncerUserlist(['a\n"root" ""']), RangeError);
  });
});
