import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connectUpstream, type UpstreamConnection } from '../../src/gateway/postgres/upstream.js';
import { BE, bind, execute, FrameReader, parse, parseErrorFields, query, sync, type Frame } from '../../src/gateway/postgres/codec/index.js';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createGrant, deleteGrant } from '../../src/control/grants.js';
import { grantCreate, parseInput } from '../../src/control/inputs.js';
import { storeSource, verifyLog } from '../../src/ledger/index.js';
import { startTestGateway, PASSWORDS, type TestGateway } from '../support/gateway.js';

/** A logged-in raw protocol connection through the gateway, to send exactly the bytes a test wants. */
async function rawSession(gw: TestGateway, user: keyof typeof PASSWORDS): Promise<UpstreamConnection> {
  return connectUpstream({ host: '127.0.0.1', port: gw.port, database: 'pgtest', user, password: PASSWORDS[user], tls: 'disable' });
}

/** Reads messages until ReadyForQuery (or the connection closes); returns them all. */
function readUntilReady(socket: Socket, initial: Buffer = Buffer.alloc(0)): Promise<{ frames: Frame[]; closed: boolean }> {
  return new Promise((resolve) => {
    const reader = new FrameReader();
    const frames: Frame[] = [];
    const done = (closed: boolean) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve({ frames, closed });
    };
    const onData = (chunk: Buffer) => {
      reader.push(chunk);
      for (let f = reader.next(); f; f = reader.next()) {
        frames.push({ ...f, body: Buffer.from(f.body), raw: Buffer.from(f.raw) });
        if (f.type === BE.ReadyForQuery) return done(false);
      }
    };
    const onClose = () => done(true);
    socket.on('data', onData);
    socket.on('close', onClose);
    if (initial.length > 0) onData(initial);
    socket.resume();
  });
}

const errorsOf = (frames: Frame[]) => frames.filter((f) => f.type === BE.ErrorResponse).map((f) => parseErrorFields(f.body));

describe('postgres gateway on the wire', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ gateway: { maxMessageBytes: 1024 * 1024 } });
  });
  after(() => gw.close());

  test('a statement split across packets, one byte each, is decided whole', async () => {
    const { socket, remainder } = await rawSession(gw, 'alice');
    const bytes = query(`DELETE FROM ${gw.schema}.orders WHERE id = 3`);
    const answer = readUntilReady(socket, remainder);
    for (const byte of bytes) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const { frames } = await answer;
    assert.deepEqual(errorsOf(frames).map((e) => e.code), ['42501']);
    socket.destroy();
  });

  test('the bypass families are denied through the wire and recorded', async () => {
    const s = gw.schema;
    const attempts = [
      `WITH gone AS (DELETE FROM ${s}.orders RETURNING *) SELECT count(*) FROM gone`,
      'SET ROLE postgres',
      'SET SESSION AUTHORIZATION postgres',
      "COPY (SELECT 1) TO PROGRAM 'touch /tmp/gatehouse-pwned'",
      `COPY ${s}.customers FROM '/etc/passwd'`,
      "DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$",
      "SELECT set_config('role', 'postgres', false)",
      'SELECT pg_terminate_backend(1)',
      `SELECT * INTO ${s}.copy_of FROM ${s}.customers`,
      `EXPLAIN ANALYZE DELETE FROM ${s}.orders`,
      `PREPARE p AS DELETE FROM ${s}.orders`,
      'ALTER SYSTEM SET log_statement = none',
      'CREATE EXTENSION dblink',
      `SELECT 1; DROP TABLE ${s}.orders`,
      `select * from "${s}"."customers"; truncate "${s}".ORDERS`,
    ];
    const { socket, remainder } = await rawSession(gw, 'alice');
    let initial = remainder;
    for (const sql of attempts) {
      const answer = readUntilReady(socket, initial);
      initial = Buffer.alloc(0);
      socket.write(query(sql));
      const { frames, closed } = await answer;
      assert.equal(closed, false);
      assert.deepEqual(errorsOf(frames).map((e) => e.code), ['42501'], sql);
    }
    socket.destroy();
    const direct = await gw.direct();
    assert.equal((await direct.query(`SELECT count(*)::int AS n FROM ${s}.orders`)).rows[0].n, 10);
    await direct.end();
    const denied = (await gw.events('db.query')).filter((e) => e.decision.allow === false);
    assert.ok(denied.length >= attempts.length);
  });

  test('a fast-path FunctionCall and an Execute of a portal never bound are refused, recorded, and the session goes on', async () => {
    const { socket, remainder } = await rawSession(gw, 'alice');
    // FunctionCall: oid 2 (any), 0 arg formats, 0 args, result format 0.
    const body = Buffer.from([0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    const header = Buffer.alloc(5);
    header[0] = 0x46;
    header.writeInt32BE(body.length + 4, 1);
    let answer = readUntilReady(socket, remainder);
    socket.write(Buffer.concat([header, body]));
    assert.deepEqual(errorsOf((await answer).frames).map((e) => e.code), ['42501']);
    answer = readUntilReady(socket);
    socket.write(Buffer.concat([execute('never_bound', 0), sync()]));
    assert.deepEqual(errorsOf((await answer).frames).map((e) => e.code), ['42501']);
    answer = readUntilReady(socket);
    socket.write(query('SELECT 1'));
    assert.ok((await answer).frames.some((f) => f.type === BE.DataRow));
    socket.destroy();
    const refused = (await gw.events('db.command_refused')).filter((e) => e.actor.name === 'alice');
    assert.deepEqual(
      refused.slice(-2).map((e) => [e.context.command, e.context.portal, e.decision.allow, e.decision.code]),
      [
        ['FunctionCall', undefined, false, 'command_refused'],
        ['Execute', 'never_bound', false, 'command_refused'],
      ],
    );
  });

  test('a pipelined batch of several MiB, sent while statements wait for their entries, runs whole and in order', { timeout: 60_000 }, async () => {
    // Strict mode: each statement waits for its entry, and meanwhile the session reads ahead
    // only so far before it pauses the socket; the batch is larger than that many times over.
    const alicesQueries = async () => (await gw.events('db.query')).filter((e) => e.actor.name === 'alice').length;
    const before = await alicesQueries();
    const { socket, remainder } = await rawSession(gw, 'alice');
    const padding = 'x'.repeat(1000);
    const count = 6000;
    const batch = Buffer.concat(Array.from({ length: count }, (_, i) => query(`SELECT ${i} AS n, '${padding}' AS pad`)));
    assert.ok(batch.length > 5 * 1024 * 1024);
    const seen: number[] = [];
    const answered = new Promise<number>((resolve, reject) => {
      const reader = new FrameReader();
      let ready = 0;
      const onData = (chunk: Buffer) => {
        reader.push(chunk);
        for (let f = reader.next(); f; f = reader.next()) {
          // DataRow: Int16 column count, then Int32 length and the text of column 1.
          if (f.type === BE.DataRow) seen.push(Number(f.body.toString('utf8', 6, 6 + f.body.readInt32BE(2))));
          if (f.type === BE.ErrorResponse) reject(new Error(parseErrorFields(f.body).message));
          if (f.type === BE.ReadyForQuery && ++ready === count) resolve(ready);
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error(`closed after ${ready} of ${count} answers`)));
      if (remainder.length > 0) onData(remainder);
      socket.resume();
    });
    socket.write(batch);
    assert.equal(await answered, count);
    assert.deepEqual(seen, Array.from({ length: count }, (_, i) => i));
    socket.destroy();
    assert.equal((await alicesQueries()) - before, count);
  });

  test('malformed and oversized messages end that connection only, with a FATAL error', async () => {
    const bystander = await gw.client('bob');
    for (const [bytes, code] of [
      [Buffer.from([0x51, 0, 0, 0, 2]), '08P01'], // a length below 4
      [Buffer.from([0x7a, 0, 0, 0, 4]), '08P01'], // an unknown message type
      [Buffer.from([0x51, 0x7f, 0, 0, 0]), '54000'], // 2 GiB announced, over the limit
      [Buffer.from([0x51, 0, 0, 0, 6, 0x41, 0x41]), '08P01'], // a Query without its terminator
    ] as const) {
      const { socket, remainder } = await rawSession(gw, 'alice');
      const answer = readUntilReady(socket, remainder);
      socket.write(bytes);
      const { frames, closed } = await answer;
      assert.equal(closed, true, `closed after ${bytes.toString('hex')}`);
      const [fatal] = errorsOf(frames);
      assert.equal(fatal?.severity, 'FATAL');
      assert.equal(fatal?.code, code);
    }
    assert.equal((await bystander.query('SELECT 1 AS one')).rows[0].one, 1);
    await bystander.end();
    const report = await verifyLog(storeSource(gw.api.opened.repo, 'the test store'));
    assert.equal(report.ok, true);
  });
});

describe('postgres gateway: named statements follow what the upstream holds', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('a refused re-Parse of a name cannot stand in for the statement the upstream keeps under it', async () => {
    const { socket, remainder } = await rawSession(gw, 'bob');
    const s = gw.schema;
    const cp = gw.api.cp;
    const exchange = (bytes: Buffer, initial: Buffer = Buffer.alloc(0)) => {
      const answer = readUntilReady(socket, initial);
      socket.write(bytes);
      return answer;
    };
    // While bob may write, the upstream keeps a DELETE under "s1".
    let { frames } = await exchange(Buffer.concat([parse({ name: 's1', query: `DELETE FROM ${s}.orders WHERE id = 5`, paramTypes: [] }), sync()]), remainder);
    assert.deepEqual(errorsOf(frames), []);
    // Then his write is revoked: engineers keep read only.
    const grants = await cp.policy.grants();
    const write = grants.find((g) => g.group === 'engineers')!;
    await deleteGrant(cp, SYSTEM_ACTOR, write.id);
    await createGrant(cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'engineers', on: { connection: 'pgtest' }, privileges: ['read'], objects: [`${s}.*`] }));
    // A harmless Parse under the same name is refused upstream (the name is taken)…
    ({ frames } = await exchange(Buffer.concat([parse({ name: 's1', query: 'SELECT 1', paramTypes: [] }), sync()])));
    assert.deepEqual(errorsOf(frames).map((e) => e.code), ['42P05']);
    // …so executing "s1" is decided as the DELETE it still is, and denied.
    ({ frames } = await exchange(Buffer.concat([bind({ portal: '', statement: 's1', paramFormats: [], params: [], resultFormats: [] }), execute('', 0), sync()])));
    assert.deepEqual(errorsOf(frames).map((e) => e.code), ['42501']);
    socket.destroy();
    const direct = await gw.direct();
    assert.equal((await direct.query(`SELECT count(*)::int AS n FROM ${s}.orders WHERE id = 5`)).rows[0].n, 1);
    await direct.end();
  });
});
