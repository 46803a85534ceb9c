import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, gatehouse, type CliResult } from '../support/cli.js';

/** Secrets that must never come back out: through stdin in, and nowhere after. */
const UPSTREAM_PASSWORD = 'Upstream-Secret-7f3c91aa';
const NEW_UPSTREAM_PASSWORD = 'Rotated-Upstream-55e0b2';
const ALICE_PASSWORD = 'alice-Password-4471x';

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gatehouse admin CLI against a running server (SQLite store)', () => {
  let dataDir: string;
  let serve: ChildProcess;
  let serveOut = '';
  let serveErr = '';
  let serveExit: Promise<number | null>;
  let url: string;
  let adminToken: string;
  /** Everything every CLI run printed, to search for secrets at the end. */
  const printed: string[] = [];

  const cli = (args: string[], options: { token?: string; input?: string; url?: string } = {}): CliResult => {
    const result = gatehouse(args, options.input ?? '', {
      GATEHOUSE_URL: options.url ?? url,
      GATEHOUSE_TOKEN: options.token ?? adminToken,
    });
    printed.push(result.stdout, result.stderr);
    return result;
  };
  const ok = (args: string[], options: Parameters<typeof cli>[1] = {}): string => {
    const result = cli(args, options);
    assert.equal(result.status, 0, `gatehouse ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const json = <T = any>(args: string[], options: Parameters<typeof cli>[1] = {}): T => JSON.parse(ok([...args, '--json'], options)) as T;
  const fails = (args: string[], options: Parameters<typeof cli>[1] = {}): string => {
    const result = cli(args, options);
    assert.equal(result.status, 2, `gatehouse ${args.join(' ')} should fail: ${result.stdout}`);
    assert.equal(result.stdout, '');
    return result.stderr;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-cli-'));
    const init = gatehouse(['init', '--data-dir', dataDir]);
    assert.equal(init.status, 0, init.stderr);
    adminToken = /^token: (ghk_\S+)$/m.exec(init.stdout)?.[1] ?? assert.fail(`no token line in:\n${init.stdout}`);

    serve = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--pg-listen', '127.0.0.1:0', '--mysql-listen', '127.0.0.1:0', '--log'], {
      env: { ...process.env, GATEHOUSE_DATA_DIR: '', GATEHOUSE_DATABASE_URL: '', GATEHOUSE_TOKEN: '', GATEHOUSE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serveExit = new Promise((resolve) => serve.once('exit', (code) => resolve(code)));
    serve.stderr!.setEncoding('utf8').on('data', (s: string) => (serveErr += s));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${serveOut}\n${serveErr}`)), 60_000);
      serve.stdout!.setEncoding('utf8').on('data', (s: string) => {
        serveOut += s;
        const m = /admin API on (http:\/\/\S+)\/api\/v1/.exec(serveOut);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      serve.once('exit', () => reject(new Error(`serve exited:\n${serveOut}\n${serveErr}`)));
    });
  });

  after(() => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serve on port 0 prints the port it bound', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    assert.deepEqual(json(['users', 'list']).map((u: { name: string }) => u.name), ['admin']);
  });

  it('users: create (password from stdin), list, show, update', () => {
    const created = ok(['users', 'create', 'alice', '--email', 'alice@example.com', '--display-name', 'Alice L', '--password-stdin'], {
      input: `${ALICE_PASSWORD}\n`,
    });
    assert.match(created, /^name: +alice$/m);
    assert.match(created, /^role: +member$/m);
    ok(['users', 'create', 'etl', '--service']);

    const list = ok(['users', 'list']);
    assert.match(list, /^NAME +KIND +ROLE +STATUS/);
    assert.match(list, /^alice +human +member +active +alice@example\.com/m);
    assert.deepEqual(json(['users', 'list', '--kind', 'service']).map((u: { name: string }) => u.name), ['etl']);
    assert.equal(json(['users', 'show', 'alice']).email, 'alice@example.com');

    const updated = json(['users', 'update', 'etl', '--expires-at', '2099-01-01T00:00:00Z', '--display-name', 'nightly loads']);
    assert.equal(updated.expires_at, '2099-01-01T00:00:00.000Z');
    assert.equal(json(['users', 'update', 'etl', '--no-expiry']).expires_at, null);
    assert.match(fails(['users', 'update', 'etl']), /nothing to change/);
    assert.match(fails(['users', 'show', 'nobody']), /^gatehouse: there is no user or service account named "nobody"\n$/);
  });

  it('groups: create, add a member, show it with its members', () => {
    ok(['groups', 'create', 'analysts', '--description', 'read the sales data', '--owner', 'alice']);
    assert.match(ok(['groups', 'add-member', 'analysts', 'alice']), /added alice to analysts/);
    const shown = ok(['groups', 'show', 'analysts']);
    assert.match(shown, /^owner: +alice$/m);
    assert.match(shown, /^alice +- +yes/m);
    assert.deepEqual(json(['groups', 'show', 'analysts']).members.map((m: { principal: string }) => m.principal), ['alice']);
    assert.match(ok(['groups', 'list']), /^analysts +alice +read the sales data$/m);
  });

  it('connections: create with the password from stdin; it is never shown', () => {
    const created = ok(
      ['connections', 'create', 'sales-prod', '--engine', 'postgres', '--host', 'db1.internal', '--database', 'sales', '--username', 'gatehouse',
        '--password-stdin', '--tag', 'env=prod', '--tag', 'team=sales'],
      { input: UPSTREAM_PASSWORD },
    );
    assert.match(created, /^password: +set \(sealed; never shown\)$/m);
    assert.match(created, /^tags: +env=prod,team=sales$/m);
    ok(['connections', 'create', 'sales-dev', '--engine', 'mysql', '--host', 'db2.internal', '--database', 'sales', '--username', 'dev', '--tag', 'env=dev']);

    const shown = json(['connections', 'show', 'sales-prod']);
    assert.equal(shown.has_password, true);
    assert.equal(shown.port, 5432);
    assert.equal(json(['connections', 'show', 'sales-dev']).port, 3306);
    assert.match(ok(['connections', 'list']), /^sales-prod +postgres +db1\.internal:5432 +sales +gatehouse +set +prefer +env=prod,team=sales$/m);
    json(['connections', 'list']);

    const updated = json(['connections', 'update', 'sales-prod', '--password-stdin', '--tls-mode', 'require'], { input: `${NEW_UPSTREAM_PASSWORD}\n` });
    assert.equal(updated.tls_mode, 'require');
    assert.equal(updated.has_password, true);
    assert.deepEqual(updated.tags, { env: 'prod', team: 'sales' }, 'what was not named stays as it was');
    const retagged = json(['connections', 'update', 'sales-prod', '--host', 'db3.internal']);
    assert.equal(retagged.tls_mode, 'require');
    assert.deepEqual(retagged.tags, { env: 'prod', team: 'sales' });
  });

  let grantId: string;

  it('grants by tag and by connection; deny rules', () => {
    const grant = json(['grants', 'create', '--group', 'analysts', '--tag', 'env=prod', '--privileges', 'read', '--objects', 'sales.*', '--reason', 'TICKET-1']);
    assert.deepEqual(grant.on, { tags: { env: 'prod' } });
    assert.deepEqual(grant.objects, ['sales.*']);
    grantId = grant.id;
    const dev = json(['grants', 'create', '--group', 'analysts', '--connection', 'sales-dev', '--privileges', 'read,write']);
    assert.deepEqual(dev.privileges, ['read', 'write']);
    assert.deepEqual(dev.objects, ['*.*']);

    const list = ok(['grants', 'list']);
    assert.match(list, new RegExp(`^${grantId} +analysts +tags env=prod +read +sales\\.\\* +- +TICKET-1$`, 'm'));
    assert.match(ok(['grants', 'show', grantId]), /^on: +tags env=prod$/m);

    const rule = ok(['deny-rules', 'create', 'prod-no-where', '--tag', 'env=prod', '--no-where', '--reason', 'add a WHERE clause']);
    assert.match(rule, /^denies: +update\/delete without where$/m);
    assert.equal(json(['deny-rules', 'show', 'prod-no-where']).match.kind, 'no_where');
    ok(['deny-rules', 'create', 'prod-no-ddl', '--connection', 'sales-prod', '--classes', 'ddl,admin']);
    assert.match(ok(['deny-rules', 'list']), /^prod-no-ddl +connection sales-prod +classes ddl,admin +-$/m);
    assert.match(fails(['deny-rules', 'create', 'two', '--tag', 'env=prod', '--no-where', '--drop-truncate']), /give only one of/);
    assert.match(fails(['grants', 'create', '--group', 'analysts', '--privileges', 'read']), /--connection NAME, or --tag/);
  });

  it('bad input comes back as the server field error', () => {
    const stderr = fails(['grants', 'create', '--group', 'analysts', '--tag', 'env=prod', '--privileges', 'fly']);
    assert.match(stderr, /^gatehouse: invalid request:\n {2}privileges\.0: .*expected one of "read"\|"write"\|"ddl"\|"admin"\n$/);
    assert.match(fails(['users', 'create', 'Not A Name']), /name: must be 1–63 of a-z 0-9/);
    assert.match(fails(['groups', 'create', 'analysts', '--description', 'again']), /a group named "analysts" already exists/);
  });

  it('policy check: exit 0 when allowed, 1 when denied, naming what is missing', () => {
    const allowed = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-prod', '--sql', 'SELECT * FROM sales.orders']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, new RegExp(`^decision: allow \\(grants ${grantId}\\)$`, 'm'));
    assert.match(allowed.stdout, new RegExp(`needs read on sales\\.orders: met by ${grantId}`));

    const missing = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-prod', '--sql', 'INSERT INTO sales.orders VALUES (1)']);
    assert.equal(missing.status, 1, missing.stderr);
    assert.match(missing.stdout, /^reason: write on sales\.orders is not granted to alice$/m);

    const guarded = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-prod', '--sql', 'DELETE FROM sales.orders', '--json']);
    assert.equal(guarded.status, 1, guarded.stderr);
    const decision = JSON.parse(guarded.stdout).decision;
    assert.equal(decision.allow, false);
    assert.equal(decision.denial.code, 'deny_rule');
    assert.match(decision.denial.message, /prod-no-where/);

    // MySQL: unqualified names are in the connection's database (sales); DDL is not granted.
    const mysqlRead = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-dev', '--sql', 'SELECT * FROM orders; UPDATE `sales`.orders SET x = 1 WHERE id = 2']);
    assert.equal(mysqlRead.status, 0, mysqlRead.stderr + mysqlRead.stdout);
    assert.match(mysqlRead.stdout, /needs read on sales\.orders/);
    const mysqlDrop = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-dev', '--sql', '/*!50000 DROP TABLE orders */']);
    assert.equal(mysqlDrop.status, 1, mysqlDrop.stderr);
    assert.match(mysqlDrop.stdout, /ddl on sales\.orders is not granted to alice/);

    const fromStdin = cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-prod', '--sql', '-'], {
      input: 'SELECT id FROM sales.orders WHERE id = 2;\nSELECT 1;\n',
    });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.match(fails(['policy', 'check', '--user', 'alice', '--connection', 'nowhere', '--sql', 'SELECT 1']), /no connection named "nowhere"/);
  });

  it('inventory: CSV with a header and a line per principal and connection; table; JSON', () => {
    const csv = ok(['inventory', '--format', 'csv']).trimEnd().split('\r\n');
    assert.equal(csv[0], 'principal,kind,role,status,source,expires_at,last_login_at,groups,connection,privileges,objects,grants');
    const rows = csv.slice(1).map((line) => line.split(','));
    const lines = (who: string) => rows.filter((r) => r[0] === who).map((r) => r[8]);
    // One line per connection a principal reaches; a principal with no access gets one empty line.
    assert.deepEqual(lines('admin'), ['']);
    assert.deepEqual(lines('etl'), ['']);
    assert.deepEqual(lines('alice').sort(), ['sales-dev', 'sales-prod']);
    assert.equal(rows.length, 4);
    const prod = rows.find((r) => r[0] === 'alice' && r[8] === 'sales-prod')!;
    assert.deepEqual(prod.slice(9, 11), ['read', 'read:sales.*']);

    const table = ok(['inventory']);
    assert.match(table, /^PRINCIPAL +KIND +ROLE +STATUS +GROUPS +CONNECTION +ACCESS/);
    assert.match(table, /^alice +human +member +active +analysts +sales-prod +read:sales\.\*/m);
    assert.equal(json(['inventory']).length, 3);
  });

  it('tokens: a member token cannot create users; a revoked token gets a clear 401', () => {
    const created = ok(['tokens', 'create', '--user', 'alice', '--name', 'laptop']);
    const token = /^token: +(ghk_\S+)$/m.exec(created)?.[1] ?? assert.fail(created);
    const id = /^id: +(tok_\S+)$/m.exec(created)![1]!;

    // What a member may do: check their own access, list their own tokens.
    assert.equal(cli(['policy', 'check', '--user', 'alice', '--connection', 'sales-prod', '--sql', 'SELECT 1 FROM sales.x'], { token }).status, 0);
    assert.deepEqual(json(['tokens', 'list'], { token }).map((t: { id: string }) => t.id), [id]);
    const denied = fails(['users', 'create', 'mallory'], { token });
    assert.equal(denied, 'gatehouse: forbidden: only admins may create a user or service account\n');

    const listed = ok(['tokens', 'list']);
    assert.match(listed, new RegExp(`^${id} +alice +laptop +ghk_\\S+ +active`, 'm'));
    assert.doesNotMatch(listed, new RegExp(token));
    assert.match(ok(['tokens', 'revoke', id]), new RegExp(`revoked token ${id} \\(laptop, of alice\\)`));
    assert.equal(json(['tokens', 'list']).find((t: { id: string }) => t.id === id).state, 'revoked');

    const refused = fails(['users', 'list'], { token });
    assert.match(refused, /^gatehouse: the token was refused .*set GATEHOUSE_TOKEN/);
    assert.ok(!refused.includes(token), 'the refused token is not echoed');
  });

  it('no token, or no server, says what to do', async () => {
    assert.match(fails(['users', 'list'], { token: '' }), /no API token: set GATEHOUSE_TOKEN/);
    const port = await closedPort();
    const stderr = fails(['users', 'list'], { url: `http://127.0.0.1:${port}` });
    assert.match(stderr, new RegExp(`^gatehouse: cannot reach the Gatehouse API at http://127\\.0\\.0\\.1:${port}: is \`gatehouse serve\` running\\?`));
    assert.match(fails(['users', 'list'], { url: 'ftp://example.com' }), /must be an http:\/\/ or https:\/\/ URL/);
    // Usage errors exit 2 too, never 1 (which means "denied").
    const usage = cli(['policy', 'check', '--user', 'alice']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /required option '--connection <name>' not specified/);
  });

  it('deletes: grant (revoke), deny rule, membership, connection, group, user', () => {
    assert.match(ok(['grants', 'delete', grantId]), new RegExp(`revoked grant ${grantId}`));
    assert.match(fails(['grants', 'show', grantId]), /no grant with id/);
    ok(['deny-rules', 'delete', 'prod-no-ddl']);
    assert.match(ok(['groups', 'remove-member', 'analysts', 'alice']), /removed alice from analysts/);
    assert.deepEqual(json(['groups', 'show', 'analysts']).members, []);
    // A connection that a grant still names cannot go (the grant would outlive it unseen).
    assert.match(fails(['connections', 'delete', 'sales-dev']), /is named by grant gnt_\w+; revoke or delete those first/);
    ok(['groups', 'delete', 'analysts']); // its grants go with it
    ok(['connections', 'delete', 'sales-dev']);
    assert.match(ok(['users', 'delete', 'etl']), /deleted user etl/);
    assert.deepEqual(json(['users', 'list']).map((u: { name: string }) => u.name), ['admin', 'alice']);
  });

  it('serve stops on SIGTERM; no secret was ever printed or stored in clear', async () => {
    serve.kill('SIGTERM');
    assert.equal(await serveExit, 0);
    assert.match(serveOut, /gatehouse: stopped; ledger size \d+/);
    // --log is on, so the request log (stderr) is part of what is searched.
    assert.match(serveErr, /"url":"\/api\/v1\/connections"/);

    const everything = [...printed, serveOut, serveErr].join('\n');
    const store = readdirSync(dataDir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(dataDir, f))
      .filter((f) => statSync(f).isFile()) // every file, the tls/ folder's too
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    for (const secret of [UPSTREAM_PASSWORD, NEW_UPSTREAM_PASSWORD, ALICE_PASSWORD]) {
      assert.ok(!everything.includes(secret), 'a password was printed');
      assert.ok(!store.includes(secret), 'a password is in the store in clear');
    }
    assert.ok(!everything.includes(adminToken), 'the admin token was printed');
  });
});
