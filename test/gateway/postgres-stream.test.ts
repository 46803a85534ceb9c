import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectUpstream } from '../../src/gateway/postgres/upstream.js';
import { BE, bind, execute, FrameReader, parse, parseErrorFields, sync, type Frame } from '../../src/gateway/postgres/codec/index.js';
import { startTestGateway, PASSWORDS, type TestGateway } from '../support/gateway.js';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createGrant } from '../../src/control/grants.js';
import { grantCreate, parseInput } from '../../src/control/inputs.js';

/** Reads messages until `count` ReadyForQuery messages have arrived. */
function readReady(socket: import('node:net').Socket, initial: Buffer, count: number): Promise<Frame[]> {
  return new Promise((resolve) => {
    const reader = new FrameReader();
    const frames: Frame[] = [];
    let ready = 0;
    const onData = (chunk: Buffer) => {
      reader.push(chunk);
      for (let f = reader.next(); f; f = reader.next()) {
        frames.push({ ...f, body: Buffer.from(f.body), raw: Buffer.from(f.raw) });
        if (f.type === BE.ReadyForQuery && ++ready === count) {
          socket.off('data', onData);
          return resolve(frames);
        }
      }
    };
    socket.on('data', onData);
    if (initial.length > 0) onData(initial);
    socket.resume();
  });
}

describe('postgres gateway in async audit mode: pipelines, large results, notifications', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ auditMode: 'async' });
  });
  after(() => gw.close());

  test('a pipelined batch with a denial in the middle: before it runs, after it is skipped to Sync, the next batch runs', async () => {
    const { socket, remainder } = await connectUpstream({ host: '127.0.0.1', port: gw.port, database: 'pgtest', user: 'alice', password: PASSWORDS.alice, tls: 'disable' });
    const s = gw.schema;
    const step = (sql: string) => [parse({ name: '', query: sql, paramTypes: [] }), bind({ portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] }), execute('', 0)];
    const answer = readReady(socket, remainder, 2);
    socket.write(
      Buffer.concat([
        ...step(`SELECT count(*) FROM ${s}.customers`),
        ...step(`DELETE FROM ${s}.customers WHERE id = 1`),
        ...step(`SELECT count(*) FROM ${s}.orders`),
        sync(),
        ...step(`SELECT count(*) FROM ${s}.orders`),
        sync(),
      ]),
    );
    const frames = await answer;
    const types = frames.map((f) => String.fromCharCode(f.type)).join('');
    // 1: parse, bind, row, complete; 2: the denial (nothing else of the batch); Z; then the second batch.
    assert.equal(types, '12DCEZ12DCZ');
    assert.equal(parseErrorFields(frames[4]!.body).code, '42501');
    socket.destroy();
  });

  test('a large result streams through, and every statement is recorded without waiting', async () => {
    const client = await gw.client('alice');
    const { rows } = await client.query('SELECT g, repeat(\'x\', 100) AS pad FROM generate_series(1, 200000) g');
    assert.equal(rows.length, 200_000);
    await client.end();
    await gw.gateway.close();
    const recorded = (await gw.events('db.query')).filter((e) => e.actor.name === 'alice' && e.decision.allow);
    assert.ok(recorded.length >= 2);
    const results = (await gw.events('db.results')).flatMap((e) => e.outcome.results);
    assert.ok(results.some((r) => r.rows === 200_000 && r.status === 'ok'));
  });
});

describe('postgres gateway: notifications reach the listening session', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('LISTEN through the gateway, NOTIFY from elsewhere: the notification arrives', async () => {
    // LISTEN reads the connection as a whole (docs/sql.md): it takes a grant on every object.
    const grant = parseInput(grantCreate, { group: 'engineers', on: { connection: 'pgtest' }, privileges: ['read'], reason: 'listen' });
    await createGrant(gw.api.cp, SYSTEM_ACTOR, grant);
    const client = await gw.client('bob');
    const heard = new Promise<{ channel: string; payload?: string }>((resolve) => client.on('notification', resolve));
    await client.query('LISTEN gatehouse_test');
    const direct = await gw.direct();
    await direct.query("NOTIFY gatehouse_test, 'hello'");
    await direct.end();
    const note = await heard;
    assert.equal(note.channel, 'gatehouse_test');
    assert.equal(note.payload, 'hello');
    await client.end();
  });
});
