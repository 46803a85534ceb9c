import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { FailureThrottle } from '../../src/api/throttle.js';
import { ControlPlane, SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createPrincipal } from '../../src/control/principals.js';
import { createToken } from '../../src/control/tokens.js';
import { parseInput, principalCreate } from '../../src/control/inputs.js';
import type { MasterKey } from '../../src/connections/master-key.js';
import { SessionRegistry } from '../../src/gateway/sessions.js';
import { terminateSessionsOnDisable, type LiveChanges } from '../../src/gateway/live-changes.js';
import { makeTestStore, type StoreKind, type TestStore } from './stores.js';
import { openTestLedger, type OpenTestLedger } from './ledger.js';

/** A clock the test moves by hand, to cross expiry instants without waiting. */
export class TestClock {
  constructor(public current = new Date('2026-06-01T12:00:00.000Z')) {}
  now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApi {
  url: string;
  test: TestStore;
  cp: ControlPlane;
  opened: OpenTestLedger;
  app: FastifyInstance;
  clock: TestClock;
  adminToken: string;
  /** The live-session registry the API shows, wired as serve wires it (disabled accounts lose their sessions). */
  sessions: SessionRegistry;
  liveChanges: LiveChanges;
  /** Every line the server logged. */
  logs: string[];
  /** fetch against the API with a bearer token (or none); JSON bodies in and out. */
  call(token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string; type: string }>;
  /** Creates a principal with a token, straight through the control plane. */
  principal(name: string, role: 'admin' | 'auditor' | 'member', extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The real API over HTTP on loopback, on a fresh store of the given kind. Cheap scrypt keeps tests fast. */
export async function startTestApi(kind: StoreKind, options: { throttle?: FailureThrottle; sessions?: SessionRegistry } = {}): Promise<TestApi> {
  const test = await makeTestStore(kind);
  const opened = await openTestLedger(test);
  const key = randomBytes(32);
  const masterKey: MasterKey = { key, id: 'testkey0', source: 'test' };
  const clock = new TestClock();
  const cp = new ControlPlane(opened.store.db, opened.ledger, masterKey, {
    now: clock.now,
    scryptCost: { log2N: 10, r: 8, p: 1 },
    scramIterations: 4096,
  });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const sessions = options.sessions ?? new SessionRegistry();
  const liveChanges = terminateSessionsOnDisable(cp, sessions);
  const app = await buildApi(cp, { log: { level: 'info', stream }, throttle: options.throttle ?? new FailureThrottle(1000), sessions });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;

  const principal = async (name: string, role: 'admin' | 'auditor' | 'member', extra: Record<string, unknown> = {}) => {
    await createPrincipal(cp, SYSTEM_ACTOR, parseInput(principalCreate, { name, role, ...extra }));
    return (await createToken(cp, SYSTEM_ACTOR, { name: 'test', principal: name })).token;
  };
  const adminToken = await principal('root', 'admin');

  const call: TestApi['call'] = async (token, method, path, body) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url + path, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, text, type, body: type.includes('json') && text ? JSON.parse(text) : text };
  };

  return {
    url,
    test,
    cp,
    opened,
    app,
    clock,
    adminToken,
    sessions,
    liveChanges,
    logs,
    call,
    principal,
    close: async () => {
      await app.close();
      liveChanges.stop();
      await liveChanges.settled();
      await opened.close();
      await test.cleanup();
    },
  };
}
