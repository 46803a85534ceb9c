import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { BE, BodyReader, FrameReader, parseCommandComplete, parseErrorFields, parseReadyForQuery, query, terminate } from '../../src/gateway/postgres/codec/index.js';
import type { ErrorFields } from '../../src/gateway/postgres/codec/index.js';
import * as be from '../../src/gateway/postgres/codec/backend.js';
import { cancelUpstream, connectUpstream, UpstreamError } from '../../src/gateway/postgres/upstream.js';
import type { UpstreamConnection, UpstreamTarget } from '../../src/gateway/postgres/upstream.js';
import { startPgCluster } from '../support/pg-cluster.js';
import type { PgCluster } from '../support/pg-cluster.js';
import { TEST_PG_URL } from '../support/stores.js';

const url = new URL(TEST_PG_URL);
/** The shared test server (trust authentication). */
const system: UpstreamTarget = {
  host: url.hostname,
  port: Number(url.port || 5432),
  database: url.pathname.slice(1) || 'test',
  user: decodeURIComponent(url.username) || 'postgres',
  password: null,
  tls: 'disable',
  connectTimeoutMs: 5000,
};

interface Result {
  rows: (string | null)[][];
  tag: string | null;
  error: ErrorFields | null;
  status: 'I' | 'T' | 'E';
}

/** Runs one simple Query over a dialed connection with the codec, as the relay will. */
async function simpleQuery(conn: UpstreamConnection, text: string): Promise<Result> {
  const reader = new FrameReader();
  reader.push(conn.remainder);
  conn.remainder = Buffer.alloc(0);
  const result: Result = { rows: [], tag: null, error: null, status: 'I' };
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      reader.push(chunk);
      try {
        for (let f = reader.next(); f !== null; f = reader.next()) {
          if (f.type === BE.DataRow) {
            const r = new BodyReader(f.body, 'DataRow');
            const n = r.uint16();
            const row: (string | null)[] = [];
            for (let i = 0; i < n; i++) {
              const length = r.int32();
              row.push(length === -1 ? null : r.bytes(length).toString());
            }
            result.rows.push(row);
          } else if (f.type === BE.CommandComplete) result.tag = parseCommandComplete(f.body);
          else if (f.type === BE.ErrorResponse) result.error = parseErrorFields(f.body);
          else if (f.type === BE.ReadyForQuery) {
            result.status = parseReadyForQuery(f.body);
            done();
            resolve();
          }
        }
      } catch (err) {
        done();
        reject(err);
      }
    };
    const onClose = () => {
      done();
      reject(new Error('the upstream closed the connection'));
    };
    const done = () => {
      conn.socket.off('data', onData);
      conn.socket.off('close', onClose);
      conn.socket.pause();
    };
    conn.socket.on('data', onData);
    conn.socket.on('close', onClose);
    conn.socket.resume();
    conn.socket.write(query(text));
  });
  return result;
}

function end(conn: UpstreamConnection): void {
  conn.socket.end(terminate());
}

async function rejectsUpstream(target: UpstreamTarget, pattern: RegExp, code?: string): Promise<UpstreamError> {
  let caught: unknown;
  try {
    end(await connectUpstream(target));
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UpstreamError, `expected an UpstreamError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (code !== undefined) assert.equal(caught.fields?.code, code);
  return caught;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connectUpstream against the shared PostgreSQL (trust)', () => {
  it('connects, collects ParameterStatus and BackendKeyData, and hands over a paused socket', async () => {
    const conn = await connectUpstream({ ...system, params: { application_name: 'gatehouse-test', TimeZone: 'Asia/Tokyo' } });
    try {
      assert.match(conn.parameters.get('server_version') ?? '', /^\d+/);
      assert.equal(conn.parameters.get('application_name'), 'gatehouse-test');
      assert.equal(conn.parameters.get('TimeZone'), 'Asia/Tokyo');
      assert.ok(conn.backendKey.pid > 0);
      assert.ok(conn.backendKey.secret.length >= 4);
      assert.equal(conn.tls, false);
      assert.equal(conn.protocolMinor, 0);
      assert.equal(conn.remainder.length, 0);
      assert.equal(conn.socket.listenerCount('data'), 0);
      assert.equal(conn.socket.isPaused(), true);

      const r = await simpleQuery(conn, "SELECT 41 + 1 AS answer, current_setting('application_name'), pg_backend_pid()");
      assert.deepEqual(r.rows, [['42', 'gatehouse-test', String(conn.backendKey.pid)]]);
      assert.equal(r.tag, 'SELECT 1');
      assert.equal(r.status, 'I');
      const failed = await simpleQuery(conn, 'SELECT * FROM no_such_table_anywhere');
      assert.equal(failed.error?.code, '42P01');
      assert.equal(failed.status, 'I');
    } finally {
      end(conn);
    }
  });

  it('asks for protocol 3.2 and accepts what the server negotiates', async () => {
    const conn = await connectUpstream({ ...system, protocolMinor: 2 });
    try {
      const major = Number(conn.parameters.get('server_version')!.split('.')[0]);
      assert.equal(conn.protocolMinor, major >= 18 ? 2 : 0);
      assert.deepEqual((await simpleQuery(conn, 'SELECT 1')).rows, [['1']]);
    } finally {
      end(conn);
    }
  });

  it('cancelUpstream cancels a running statement (57014 arrives)', async () => {
    const conn = await connectUpstream(system);
    const watcher = new pg.Client({ connectionString: TEST_PG_URL });
    await watcher.connect();
    try {
      const started = Date.now();
      const running = simpleQuery(conn, 'SELECT pg_sleep(10)');
      // Cancel only once the statement runs: a cancel that reaches an idle backend does nothing.
      for (;;) {
        const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'", [conn.backendKey.pid]);
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await cancelUpstream(system, conn.backendKey);
      const r = await running;
      assert.equal(r.error?.code, '57014');
      assert.equal(r.status, 'I');
      assert.ok(Date.now() - started < 5000, 'the statement ended long before its 10 seconds');
    } finally {
      await watcher.end();
      end(conn);
    }
  });

  it('a bad database name is an UpstreamError with the server fields (3D000)', async () => {
    const err = await rejectsUpstream({ ...system, database: 'no_such_database_gatehouse' }, /does not exist/, '3D000');
    assert.equal(err.fields?.severity, 'FATAL');
  });

  it('a closed port is an UpstreamError', async () => {
    const port = await closedPort();
    const err = await rejectsUpstream({ ...system, port }, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    assert.equal(err.fields, undefined);
  });

  it("TLS: 'prefer' and 'require' follow the server's ssl setting", async () => {
    const conn = await connectUpstream(system);
    const ssl = (await simpleQuery(conn, 'SHOW ssl')).rows[0]![0];
    end(conn);
    if (ssl === 'on') {
      const secure = await connectUpstream({ ...system, tls: 'require' });
      assert.equal(secure.tls, true);
      assert.ok(secure.socket instanceof TLSSocket);
      end(secure);
    } else {
      assert.equal(ssl, 'off');
      await rejectsUpstream({ ...system, tls: 'require' }, /does not accept TLS \(it answered N to SSLRequest\), and the connection requires it \(tls: require\)/);
      await rejectsUpstream({ ...system, tls: 'verify-full' }, /does not accept TLS/);
      const plain = await connectUpstream({ ...system, tls: 'prefer' });
      assert.equal(plain.tls, false);
      assert.deepEqual((await simpleQuery(plain, 'SELECT 1')).rows, [['1']]);
      end(plain);
    }
  });
});

describe('connectUpstream against a throwaway cluster (passwords and TLS)', () => {
  let cluster: PgCluster;
  let target: UpstreamTarget;

  before(async () => {
    cluster = await startPgCluster({
      tls: true,
      hba: [
        'host all md5_user 127.0.0.1/32 md5',
        'host all clear_user 127.0.0.1/32 password',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    });
    await cluster.sql("CREATE ROLE scram_user LOGIN PASSWORD 'scram-secret'");
    await cluster.sql("CREATE ROLE prep_user LOGIN PASSWORD 'I\u00ADX'"); // RFC 4013 §3: the soft hyphen maps to nothing
    await cluster.sql("CREATE ROLE clear_user LOGIN PASSWORD 'clear-secret'");
    await cluster.sql("SET password_encryption = 'md5'; CREATE ROLE md5_user LOGIN PASSWORD 'md5-secret'");
    target = { host: cluster.host, port: cluster.port, database: 'postgres', user: 'scram_user', password: 'scram-secret', tls: 'disable', connectTimeoutMs: 5000 };
  });

  after(async () => {
    await cluster?.stop();
  });

  it('SCRAM-SHA-256 with the right password', async () => {
    const stored = await cluster.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_user'");
    assert.match(stored.rows[0].rolpassword, /^SCRAM-SHA-256\$4096:/);
    const conn = await connectUpstream(target);
    assert.deepEqual((await simpleQuery(conn, 'SELECT current_user')).rows, [['scram_user']]);
    end(conn);
  });

  it('SCRAM-SHA-256 normalizes the password with SASLprep', async () => {
    const conn = await connectUpstream({ ...target, user: 'prep_user', password: 'IX' });
    assert.deepEqual((await simpleQuery(conn, 'SELECT current_user')).rows, [['prep_user']]);
    end(conn);
  });

  it('SCRAM-SHA-256 with a wrong password is 28P01', async () => {
    await rejectsUpstream({ ...target, password: 'wrong' }, /password authentication failed for user "scram_user"/, '28P01');
  });

  it('MD5 with the right password, and 28P01 with a wrong one', async () => {
    const stored = await cluster.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'md5_user'");
    assert.match(stored.rows[0].rolpassword, /^md5[0-9a-f]{32}$/);
    const conn = await connectUpstream({ ...target, user: 'md5_user', password: 'md5-secret' });
    assert.deepEqual((await simpleQuery(conn, 'SELECT current_user')).rows, [['md5_user']]);
    end(conn);
    await rejectsUpstream({ ...target, user: 'md5_user', password: 'md5-wrong' }, /password authentication failed/, '28P01');
  });

  it('cleartext password', async () => {
    const conn = await connectUpstream({ ...target, user: 'clear_user', password: 'clear-secret' });
    assert.deepEqual((await simpleQuery(conn, 'SELECT current_user')).rows, [['clear_user']]);
    end(conn);
  });

  it('a password request when the connection has none', async () => {
    for (const user of ['scram_user', 'md5_user', 'clear_user']) {
      await rejectsUpstream({ ...target, user, password: null }, /^the upstream asks for a password but the connection has none$/);
    }
  });

  it("TLS 'require' encrypts without checking the certificate", async () => {
    const conn = await connectUpstream({ ...target, tls: 'require' });
    assert.equal(conn.tls, true);
    assert.ok(conn.socket instanceof TLSSocket);
    assert.equal(conn.socket.listenerCount('data'), 0);
    const r = await simpleQuery(conn, 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(r.rows[0]![0], 't');
    assert.match(r.rows[0]![1]!, /^TLSv1\.[23]$/);
    end(conn);
    const preferred = await connectUpstream({ ...target, tls: 'prefer' });
    assert.equal(preferred.tls, true);
    end(preferred);
  });

  it("TLS 'verify-full' checks the chain and the host name", async () => {
    await rejectsUpstream({ ...target, host: 'localhost', tls: 'verify-full' }, /TLS with localhost:\d+ failed: .*self[- ]signed/i);
    const conn = await connectUpstream({ ...target, host: 'localhost', tls: 'verify-full', tlsCa: cluster.certificate! });
    assert.equal(conn.tls, true);
    assert.equal((conn.socket as TLSSocket).authorized, true);
    assert.deepEqual((await simpleQuery(conn, 'SELECT current_user')).rows, [['scram_user']]);
    end(conn);
    // The certificate names localhost only, so the address does not match it.
    await rejectsUpstream({ ...target, host: '127.0.0.1', tls: 'verify-full', tlsCa: cluster.certificate! }, /TLS with 127\.0\.0\.1:\d+ failed: .*(IP|altnames)/);
  });
});

/**
 * What a real PostgreSQL never does, but a broken or impostor server might: a scripted
 * server on loopback, speaking with the codec.
 */
describe('connectUpstream refuses servers that misbehave', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  /** A server that reads the startup phase and answers each client packet with `script(n)`. */
  async function scripted(script: (socket: Socket, packet: number) => void): Promise<UpstreamTarget> {
    const server = createServer((socket) => {
      const reader = new FrameReader();
      let packets = 0;
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        reader.push(chunk);
        for (;;) {
          const packet = packets === 0 ? reader.nextStartup() : reader.next();
          if (packet === null) return;
          script(socket, packets++);
        }
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { ...system, port: (server.address() as AddressInfo).port, password: 'secret', connectTimeoutMs: 2000 };
  }

  it('hands over the bytes that came after ReadyForQuery in the same read', async () => {
    const notice = be.noticeResponse({ severity: 'NOTICE', code: '00000', message: 'after ready' });
    const t = await scripted((s) =>
      s.write(Buffer.concat([be.authenticationOk(), be.parameterStatus('server_version', '99.0'), be.backendKeyData(7, Buffer.alloc(32, 1)), be.readyForQuery('I'), notice])),
    );
    const conn = await connectUpstream(t);
    assert.deepEqual(conn.remainder, notice);
    assert.deepEqual(conn.backendKey, { pid: 7, secret: Buffer.alloc(32, 1) });
    assert.equal(conn.parameters.get('server_version'), '99.0');
    conn.socket.destroy();
  });

  it('AuthenticationOk in the middle of SCRAM (the server never proved it knows the password)', async () => {
    const t = await scripted((socket, n) => socket.write(n === 0 ? be.authenticationSASL(['SCRAM-SHA-256']) : be.authenticationOk()));
    await rejectsUpstream(t, /ended SCRAM authentication without proving/);
  });

  it('a SASL offer without SCRAM-SHA-256, and GSSAPI', async () => {
    await rejectsUpstream(await scripted((s) => s.write(be.authenticationSASL(['SCRAM-SHA-256-PLUS']))), /offers the SASL mechanisms SCRAM-SHA-256-PLUS, and only SCRAM-SHA-256 is supported/);
    const gss = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 7]);
    await rejectsUpstream(await scripted((s) => s.write(gss)), /asks for GSSAPI authentication, which is not supported/);
  });

  it('bytes after the answer to SSLRequest (CVE-2021-23222), and an unexpected answer', async () => {
    await rejectsUpstream({ ...(await scripted((s) => s.write(Buffer.from('Sxyz')))), tls: 'require' }, /unexpected data after its answer to SSLRequest/);
    await rejectsUpstream({ ...(await scripted((s) => s.write(Buffer.from('?')))), tls: 'prefer' }, /answered SSLRequest with byte 0x3f/);
  });

  it('a broken message, a message out of place, a hang-up, silence', async () => {
    await rejectsUpstream(await scripted((s) => s.write(Buffer.from([0x52, 0, 0, 0, 2]))), /broke the protocol: invalid message length 2/);
    await rejectsUpstream(await scripted((s) => s.write(be.commandComplete('SELECT 1'))), /sent message type 0x43 during startup/);
    await rejectsUpstream(await scripted((s) => s.end()), /closed the connection during startup/);
    await rejectsUpstream(await scripted((s) => s.write(Buffer.concat([be.authenticationOk(), be.readyForQuery('I')]))), /without BackendKeyData/);
    const started = Date.now();
    await rejectsUpstream({ ...(await scripted(() => {})), connectTimeoutMs: 300 }, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 2000);
  });
});
