import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { addMember, removeMember } from '../../src/control/groups.js';
import { createGrant } from '../../src/control/grants.js';
import { updatePrincipal } from '../../src/control/principals.js';
import { grantCreate, membershipAdd, parseInput, principalUpdate } from '../../src/control/inputs.js';
import { gatehouse, gatehouseAsync } from '../support/cli.js';
import { engines, PASSWORDS, type EngineGateway, type EngineSession, type Outcome, type TestUser } from '../support/engines.js';

/**
 * What the PostgreSQL and the MySQL gateways do alike, run over both with each engine's
 * driver (node-postgres, mysql2) and real client (psql, mysql). What only one engine does is
 * in its own files (postgres-*.test.ts, mysql-*.test.ts).
 */
for (const engine of engines) {
  const { errors } = engine;

  describe(`${engine.name} gateway: what every engine does alike`, () => {
    let gw: EngineGateway;
    /** What the test's driver sessions sent, by session id: every statement that reached the gateway. */
    const sent = new Map<string, { statements: number; denied: number }>();

    /** A driver session whose statements are counted, for the ledger's count at the end. */
    const open = async (user: TestUser, options: { application?: string } = {}): Promise<EngineSession> => {
      const session = await gw.session(user, options);
      const count = { statements: 0, denied: 0 };
      sent.set(session.id, count);
      let ended = false;
      void session.ended.then(() => (ended = true));
      return {
        ...session,
        async run(sql) {
          if (!ended) count.statements++;
          const outcome = await session.run(sql);
          if (!ended && 'error' in outcome && outcome.error.code === errors.denied.code) count.denied++;
          return outcome;
        },
      };
    };
    const rowsOf = (outcome: Outcome) => {
      assert.ok('rows' in outcome, `expected rows, got ${JSON.stringify(outcome)}`);
      return outcome.rows;
    };
    const errorOf = (outcome: Outcome) => {
      assert.ok('error' in outcome, `expected an error, got ${JSON.stringify(outcome)}`);
      return outcome.error;
    };
    const assertDenied = (outcome: Outcome, message: RegExp) => {
      const error = errorOf(outcome);
      assert.equal(error.code, errors.denied.code, error.message);
      assert.equal(error.sqlstate, errors.denied.sqlstate);
      assert.match(error.message, message);
    };
    const adminCli = (args: string[]) => gatehouseAsync(args, { GATEHOUSE_URL: gw.api.url, GATEHOUSE_TOKEN: gw.api.adminToken });

    before(async () => {
      gw = await engine.start();
    });
    after(() => gw.close());

    test('an allowed read returns its rows and is recorded before it runs, with the groups that counted', async () => {
      const alice = await open('alice');
      try {
        assert.deepEqual(rowsOf(await alice.run(`SELECT name FROM ${gw.table('customers')} ORDER BY id`)), [{ name: 'Ada' }, { name: 'Grace' }]);
      } finally {
        await alice.end();
      }
      const login = (await gw.events('auth.login')).find((e) => e.context.session === alice.id);
      assert.deepEqual([login.actor.name, login.target.name, login.target.engine, login.outcome.via], ['alice', gw.connection, engine.name, 'password']);
      const [query, ...more] = (await gw.events('db.query')).filter((e) => e.context.session === alice.id);
      assert.equal(more.length, 0);
      assert.equal(query.decision.allow, true);
      assert.deepEqual(query.actor.groups, ['analysts']);
      assert.deepEqual(
        query.target.statements.map((s: any) => [s.class, s.objects]),
        [['read', [`read ${gw.table('customers')}`]]],
      );
      assert.ok(query.payload_commitment, 'the statement text is kept apart as a payload');
    });

    test('a denied write gets the engine’s denial naming what is missing, does not run, and the session goes on', async () => {
      const alice = await open('alice');
      try {
        assertDenied(await alice.run(`UPDATE ${gw.table('customers')} SET email = 'x' WHERE id = 1`), new RegExp(`write on ${gw.table('customers')} is not granted to alice`));
        assert.deepEqual(rowsOf(await alice.run(`SELECT name FROM ${gw.table('customers')} WHERE id = 1`)), [{ name: 'Ada' }]);
      } finally {
        await alice.end();
      }
      assert.deepEqual(await gw.direct(`SELECT email FROM ${gw.table('customers')} WHERE id = 1`), [{ email: 'ada@example.com' }], 'the update did not run');
      const queries = (await gw.events('db.query')).filter((e) => e.context.session === alice.id);
      assert.deepEqual(
        queries.map((e) => [e.decision.allow, e.decision.code ?? null]),
        [
          [false, 'missing_privilege'],
          [true, null],
        ],
      );
    });

    test('a user in no group logs in but runs nothing on the data', async () => {
      const carol = await open('carol');
      try {
        assertDenied(await carol.run(`SELECT name FROM ${gw.table('customers')}`), /carol/);
      } finally {
        await carol.end();
      }
    });

    test('a deny rule overrides a grant: bob may write with a WHERE, not without one', async () => {
      const bob = await open('bob');
      try {
        rowsOf(await bob.run(`UPDATE ${gw.table('orders')} SET amount = amount WHERE id = 2`));
        assertDenied(await bob.run(`UPDATE ${gw.table('orders')} SET amount = 0`), /denied by rule no-unbounded-writes: update or delete without a where clause/);
      } finally {
        await bob.end();
      }
    });

    test('a wrong password and an unknown user are refused alike, and the ledger says why', async () => {
      const refusal = (user: string, password: string) =>
        gw.login(user, password).then(
          async (s) => (await s.end(), assert.fail(`${user} logged in`)),
          (e) => e,
        );
      const wrong = await refusal('alice', 'not-her-password');
      const unknown = await refusal('mallory', 'whatever-password');
      for (const e of [wrong, unknown]) {
        assert.equal(e.code, errors.loginFailed.code, e.message);
        assert.equal(e.sqlstate, errors.loginFailed.sqlstate);
      }
      assert.match(wrong.message, engine.loginFailedMessage('alice'));
      assert.equal(unknown.message.replace('mallory', 'alice'), wrong.message);
      // The real client prints the same words for both.
      const wrongCli = await gw.cli('alice', 'not-her-password', 'SELECT 1');
      const unknownCli = await gw.cli('mallory', 'whatever-password', 'SELECT 1');
      assert.notEqual(wrongCli.code, 0);
      assert.match(wrongCli.stderr, engine.loginFailedMessage('alice'));
      assert.equal(unknownCli.stderr.replace('mallory', 'alice'), wrongCli.stderr);
      const failed = await gw.events('auth.login_failed');
      assert.deepEqual(
        failed.slice(-4).map((e) => [e.actor.name, e.outcome.reason]),
        [
          ['alice', 'wrong_password'],
          ['mallory', 'unknown_user'],
          ['alice', 'wrong_password'],
          ['mallory', 'unknown_user'],
        ],
      );
    });

    test('an access token works as the password, and the login says so', async () => {
      const r = await gw.cli('alice', gw.aliceToken, `SELECT name FROM ${gw.table('customers')} ORDER BY id`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Ada\nGrace\n');
      const login = (await gw.events('auth.login')).at(-1);
      assert.deepEqual([login.actor.name, login.outcome.via], ['alice', 'token']);
    });

    test('a connection that does not exist is refused after authentication, and recorded', async () => {
      const error = await gw.login('alice', PASSWORDS.alice, { database: 'nope' }).then(
        () => assert.fail('logged in to nothing'),
        (e) => e,
      );
      assert.equal(error.code, errors.unknownConnection.code, error.message);
      assert.match(error.message, /nope/);
      const failed = (await gw.events('auth.login_failed')).at(-1);
      assert.deepEqual([failed.actor.name, failed.outcome.reason], ['alice', 'unknown_connection']);
    });

    test('a live session is listed with its user, connection, client and counters, and ends when terminated', async () => {
      const alice = await open('alice', { application: 'report-job' });
      rowsOf(await alice.run('SELECT 1'));
      errorOf(await alice.run(`DELETE FROM ${gw.table('orders')} WHERE id = 1`));
      const listed = JSON.parse((await adminCli(['sessions', 'list', '--json'])).stdout);
      const mine = listed.find((s: any) => s.id === alice.id);
      assert.ok(mine, 'the session is listed');
      assert.deepEqual(
        [mine.engine, mine.principal.name, mine.principal.kind, mine.connection.name, mine.client.address, mine.application, mine.tls, mine.state, mine.statements, mine.denied],
        [engine.name, 'alice', 'human', gw.connection, '127.0.0.1', 'report-job', false, 'idle', 2, 1],
      );

      const terminated = await adminCli(['sessions', 'terminate', alice.id, '--reason', 'ended by the test']);
      assert.equal(terminated.status, 0, terminated.stderr);
      const error = await alice.ended;
      assert.ok(error, 'the client was told why');
      assert.equal(error.code, errors.terminated.code, error.message);
      assert.match(error.message, /ended by the test/);
      errorOf(await alice.run('SELECT 1'));
      await alice.end();
      assert.equal(gw.api.sessions.get(alice.id), undefined);

      const events = await gw.events();
      const terminate = events.find((e) => e.action === 'admin.session.terminate' && e.target.id === alice.id);
      assert.equal(terminate.actor.name, 'root');
      const end = events.find((e) => e.action === 'db.session.end' && e.context.session === alice.id);
      assert.deepEqual([end.outcome.reason, end.outcome.statements, end.outcome.denied], ['ended by the test', 2, 1]);
      assert.ok(events.indexOf(terminate) < events.indexOf(end), 'the termination is recorded before the session ends');
    });

    test('terminating a session stops the statement it is running upstream', async () => {
      // Closing the upstream connection alone would not: a server notices a gone client only when
      // it next writes to it. The gateway cancels the statement (CancelRequest, KILL QUERY).
      const marker = 'gh_terminate_test';
      const sleep = engine.name === 'postgres' ? `SELECT pg_sleep(60) AS ${marker}` : `SELECT SLEEP(60) AS ${marker}`;
      // The pattern ends the text, so these queries do not find themselves (their text goes on after it).
      const activity =
        engine.name === 'postgres'
          ? `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS ${marker}'`
          : `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%AS ${marker}'`;
      const running = async () => Number((await gw.direct(activity))[0]!.n);
      // Polled for up to 3 s: well before a server would notice on its own (MariaDB looks at a
      // sleeping connection's socket every 5 s; PostgreSQL not until the 60 s are over).
      const until = async (done: () => Promise<boolean>) => {
        for (let i = 0; i < 120 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
      };
      const bob = await open('bob');
      const answer = bob.run(sleep);
      await until(async () => (await running()) > 0);
      assert.equal(await running(), 1, 'the statement runs upstream');
      assert.equal(gw.api.sessions.terminate(bob.id, 'ended by the test'), true);
      await until(async () => (await running()) === 0);
      assert.equal(await running(), 0, 'the statement no longer runs upstream');
      assert.ok('error' in (await answer), 'the client got an error, not the result');
      await bob.end();
    });

    test('the upstream server ends the connection mid-statement: the client is told, the session ends and is recorded, others go on', async () => {
      const marker = 'gh_upstream_gone_test';
      const sleep = engine.name === 'postgres' ? `SELECT pg_sleep(60) AS ${marker}` : `SELECT SLEEP(60) AS ${marker}`;
      const find = engine.name === 'postgres' ? `SELECT pid AS id FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS ${marker}'` : `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE '%AS ${marker}'`;
      const alice = await open('alice');
      const bob = await open('bob');
      try {
        const answer = bob.run(sleep);
        let backend: number | undefined;
        for (let i = 0; i < 200 && backend === undefined; i++) {
          backend = (await gw.direct(find))[0]?.id as number | undefined;
          if (backend === undefined) await new Promise((r) => setTimeout(r, 25));
        }
        assert.ok(backend !== undefined, 'the statement runs upstream');
        await gw.direct(engine.name === 'postgres' ? `SELECT pg_terminate_backend(${backend})` : `KILL CONNECTION ${backend}`);
        const outcome = await answer;
        assert.ok('error' in outcome, `the client got an error, not rows: ${JSON.stringify(outcome)}`);
        for (let i = 0; i < 200 && gw.api.sessions.get(bob.id); i++) await new Promise((r) => setTimeout(r, 25));
        assert.equal(gw.api.sessions.get(bob.id), undefined, 'the session is gone from the list');
        assert.deepEqual(rowsOf(await alice.run(`SELECT name FROM ${gw.table('customers')} WHERE id = 2`)), [{ name: 'Grace' }], 'another session goes on');
      } finally {
        await bob.end().catch(() => undefined);
        await alice.end();
      }
      // Outcomes are written in batches, up to 200 ms after the first.
      let events: any[] = [];
      let query = -1;
      let result: any;
      for (let i = 0; i < 100 && !result; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        events = await gw.events();
        query = events.findIndex((e) => e.action === 'db.query' && e.context.session === bob.id);
        result = events.filter((e) => e.action === 'db.results').flatMap((e) => e.outcome.results).find((r: any) => r.entry === query);
      }
      const end = events.find((e) => e.action === 'db.session.end' && e.context.session === bob.id);
      assert.ok(query >= 0, 'the statement was recorded before it ran');
      assert.deepEqual([end.outcome.reason, end.outcome.statements], ['the upstream closed the connection', 1]);
      // Its outcome: the server's own error where it sent one before closing (PostgreSQL), else a lost connection.
      assert.deepEqual([result?.status, result?.sqlstate], ['error', engine.name === 'postgres' ? '57P01' : '08S01'], JSON.stringify(result));
    });

    test('the real client is listed under its own name and, terminated, reads why', async () => {
      const cli = gw.cliProcess('bob');
      cli.write('SELECT 1;\n');
      let session;
      for (let i = 0; i < 200 && !session; i++) {
        session = gw.api.sessions.list().find((s) => s.principal.name === 'bob' && s.application === engine.cliApplication && s.statements === 1 && s.state === 'idle');
        if (!session) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(session, `${engine.cliApplication} is listed`);
      const r = await gw.api.call(gw.api.adminToken, 'DELETE', `/sessions/${session.id}?reason=${encodeURIComponent('maintenance, reconnect later')}`);
      assert.equal(r.status, 200, r.text);
      cli.write('SELECT 2;\n');
      const done = await cli.finish();
      assert.notEqual(done.code, 0);
      assert.equal(done.stdout, '1\n');
      assert.match(done.stderr, /maintenance, reconnect later/);
    });

    test('disabling a user ends their live sessions at once, and they cannot log in again', async () => {
      const bob = await open('bob');
      try {
        rowsOf(await bob.run('SELECT 1'));
        await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { status: 'disabled' }));
        const error = await bob.ended;
        assert.ok(error, 'the client was told why');
        assert.equal(error.code, errors.terminated.code, error.message);
        assert.match(error.message, /disabled/);
        await assert.rejects(gw.session('bob'), (e: any) => e.code === errors.loginFailed.code);
      } finally {
        await bob.end();
        await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { status: 'active' }));
      }
    });

    test('removing a membership or revoking a grant applies to a live session from its next statement', async () => {
      const alice = await open('alice');
      const read = `SELECT count(*) AS n FROM ${gw.table('customers')}`;
      const denied = new RegExp(`read on ${gw.table('customers')} is not granted to alice`);
      try {
        assert.equal(Number(rowsOf(await alice.run(read))[0]!.n), 2);
        await removeMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', 'alice');
        assertDenied(await alice.run(read), denied);
        await addMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', parseInput(membershipAdd, { principal: 'alice' }));
        assert.equal(Number(rowsOf(await alice.run(read))[0]!.n), 2);

        const revoked = await gw.api.call(gw.api.adminToken, 'DELETE', `/grants/${gw.grants.analysts}`);
        assert.ok(revoked.status < 300, revoked.text);
        assertDenied(await alice.run(read), denied);
      } finally {
        await alice.end();
        const grant = await createGrant(gw.api.cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'analysts', on: { connection: gw.connection }, privileges: ['read'], objects: [`${gw.schema}.*`] }));
        gw.grants.analysts = grant.id;
      }
    });

    test('an account that expires by the clock is denied from its next statement on', async () => {
      const bob = await open('bob');
      try {
        rowsOf(await bob.run('SELECT 1'));
        const soon = new Date(gw.api.clock.current.getTime() + 60_000).toISOString();
        await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { expires_at: soon }));
        rowsOf(await bob.run('SELECT 1'));
        gw.api.clock.advance(120_000);
        assertDenied(await bob.run('SELECT 1'), /expired/);
      } finally {
        await bob.end();
        await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { expires_at: null }));
      }
    });

    test('afterwards: one db.query per statement sent, one outcome per allowed one, and the ledger verifies', async () => {
      await gw.stopGateway(); // ends what is still live and writes the last outcomes
      const events = await gw.events();
      const queries = events.flatMap((e, index) => (e.action === 'db.query' ? [{ ...e, index }] : []));
      assert.ok(sent.size >= 8, 'the sessions of the tests above');
      for (const [session, count] of sent) {
        const mine = queries.filter((e) => e.context.session === session);
        assert.deepEqual(
          { statements: mine.length, denied: mine.filter((e) => !e.decision.allow).length },
          count,
          `session ${session}`,
        );
      }
      // Every session's end counts what the ledger holds of it, the real clients' sessions too.
      for (const end of events.filter((e) => e.action === 'db.session.end')) {
        const mine = queries.filter((e) => e.context.session === end.context.session);
        assert.deepEqual([end.outcome.statements, end.outcome.denied], [mine.length, mine.filter((e) => !e.decision.allow).length]);
      }
      const outcomes = new Map<number, number>();
      for (const r of events.filter((e) => e.action === 'db.results').flatMap((e) => e.outcome.results)) outcomes.set(r.entry, (outcomes.get(r.entry) ?? 0) + 1);
      for (const q of queries) assert.equal(outcomes.get(q.index), q.decision.allow ? 1 : undefined, `the outcomes of entry ${q.index}`);
      assert.equal(outcomes.size, queries.filter((q) => q.decision.allow).length);

      const verify = gatehouse(['ledger', 'verify', ...gw.api.test.args]);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    });
  });

  describe(`${engine.name} gateway when the ledger cannot write`, () => {
    let gw: EngineGateway;
    before(async () => {
      gw = await engine.start();
    });
    after(() => gw.close());

    test('strict mode: the statement does not run and the client is told why', async () => {
      const bob = await gw.session('bob');
      try {
        await gw.api.opened.ledger.close();
        const outcome = await bob.run(`DELETE FROM ${gw.table('orders')} WHERE id = 4`);
        assert.ok('error' in outcome);
        assert.equal(outcome.error.code, errors.ledgerDown.code, outcome.error.message);
        assert.match(outcome.error.message, /audit ledger/);
      } finally {
        await bob.end();
      }
      assert.deepEqual(await gw.direct(`SELECT id FROM ${gw.table('orders')} WHERE id = 4`), [{ id: 4 }]);
    });
  });

  describe(`${engine.name} gateway in async mode when the ledger's store cannot commit`, () => {
    let gw: EngineGateway;
    before(async () => {
      gw = await engine.start({ auditMode: 'async' });
    });
    after(() => gw.close());

    test('what ran before the failure showed is kept and written later; meanwhile statements wait for the ledger and are refused', async () => {
      const bob = await gw.session('bob');
      const { ledger } = gw.api.opened;
      const append = ledger.repo.append.bind(ledger.repo);
      let down = true;
      // The store refuses commits as a full disk makes it (the transaction rolls back whole).
      ledger.repo.append = async (batch) => {
        if (down) throw new Error('database or disk is full');
        return append(batch);
      };
      const orders = gw.table('orders');
      try {
        // Async mode does not wait for the entry, and no commit has failed yet: this one runs.
        assert.ok('rows' in (await bob.run(`UPDATE ${orders} SET amount = 41 WHERE id = 3`)));
        for (let waited = 0; !ledger.failing; waited += 10) {
          assert.ok(waited < 5000, 'the deferred commit failed within 5 s');
          await new Promise((r) => setTimeout(r, 10));
        }
        const refused = await bob.run(`UPDATE ${orders} SET amount = 42 WHERE id = 3`);
        assert.ok('error' in refused);
        assert.equal(refused.error.code, errors.ledgerDown.code, refused.error.message);
        down = false;
        assert.ok('rows' in (await bob.run(`UPDATE ${orders} SET amount = 43 WHERE id = 4`)));
      } finally {
        ledger.repo.append = append;
        await bob.end();
      }
      assert.deepEqual(await gw.direct(`SELECT id FROM ${orders} WHERE (id = 3 AND amount = 41) OR (id = 4 AND amount = 43) ORDER BY id`), [{ id: 3 }, { id: 4 }]);
      const texts = (await gw.events('db.query')).filter((e) => e.context.session === bob.id).map((e) => e.target.statements.map((s: any) => s.class));
      assert.deepEqual(texts, [['write'], ['write']], 'the statements that ran, and not the refused one');
      assert.equal(ledger.failing, false);
    });

    test('a login meanwhile is refused with a message that says to try again later, and the next one after is let in', async () => {
      const { ledger } = gw.api.opened;
      const append = ledger.repo.append.bind(ledger.repo);
      ledger.repo.append = async () => {
        throw new Error('database or disk is full');
      };
      try {
        await assert.rejects(gw.login('bob', PASSWORDS.bob), (e: any) => {
          assert.equal(e.code, engine.name === 'postgres' ? '58000' : '1105', e.message);
          assert.equal(e.message, 'Gatehouse cannot start sessions now (its store or audit ledger is unavailable); try again later');
          return true;
        });
      } finally {
        ledger.repo.append = append;
      }
      const bob = await gw.session('bob');
      await bob.end();
    });
  });
}
