import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/app.js';
import type { AuditMode, Gateway } from '../gateway/engine.js';
import { createPostgresGateway } from '../gateway/postgres/index.js';
import { SessionRegistry } from '../gateway/sessions.js';
import { terminateSessionsOnDisable } from '../gateway/live-changes.js';
import { loadTlsCredentials } from '../gateway/tls.js';
import { ensureTlsCertificate } from '../cli/tls.js';
import { openControlPlane, type OpenedControlPlane } from '../cli/control.js';
import type { CheckpointRow } from '../ledger/repo/index.js';
import { startPgliteUpstream, type PgliteUpstream } from './pglite-upstream.js';
import { sampleSql } from './sample.js';
import { seedDemo, type DemoSeed } from './seed.js';
import { listenOrFallBack, type ListenRequest } from './listen.js';

export interface DemoOptions {
  /** The data directory of the embedded (SQLite) store; created when missing. */
  dataDir: string;
  /** null: no PostgreSQL gateway (--no-pg). */
  pgListen: ListenRequest | null;
  httpListen: ListenRequest;
  auditMode?: AuditMode;
  /** Each line the gateway logs (connections, decisions), when wanted. */
  onGatewayLog?: (line: Record<string, unknown>) => void;
  /** Progress, one short line per step. */
  onStep?: (text: string) => void;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface RunningDemo {
  dataDir: string;
  origin: string;
  upstream: PgliteUpstream;
  seed: DemoSeed;
  api: Endpoint & { url: string };
  /** Where the PostgreSQL gateway listens; null when it was left off. */
  gateway: Endpoint | null;
  ledgerSize(): number;
  /** Stops the gateway, the API and PGlite, then signs the final checkpoint. Once. */
  stop(): Promise<{ checkpoint: CheckpointRow | undefined; size: number }>;
}

const hostOf = (a: AddressInfo) => (a.family === 'IPv6' ? `[${a.address}]` : a.address);

/**
 * Starts the whole demo in this process: the store and keys (as `gatehouse init` makes them),
 * PGlite with the sample data, the seed, the admin API and the PostgreSQL gateway. On any
 * failure, what was started is stopped again before the error propagates.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const step = options.onStep ?? (() => {});
  const stack: (() => Promise<unknown>)[] = [];
  const unwind = async () => {
    while (stack.length > 0) await stack.pop()!().catch(() => {});
  };
  try {
    step('opening the embedded store and the keys');
    const opened: OpenedControlPlane = await openControlPlane({ dataDir: options.dataDir }, { create: true, checkpointIntervalMs: 1000 });
    stack.push(() => opened.close());
    const { cp, ledger } = opened;

    step('starting PGlite (PostgreSQL in WebAssembly, in memory) with the sample data');
    const upstream = await startPgliteUpstream({ init: sampleSql() });
    stack.push(() => upstream.stop());

    step('seeding users, groups, grants and a deny rule (each one a ledger entry)');
    const seed = await seedDemo(cp, upstream);

    step('starting the admin API');
    const sessions = new SessionRegistry();
    const liveChanges = terminateSessionsOnDisable(cp, sessions);
    stack.push(async () => {
      liveChanges.stop();
      await liveChanges.settled();
    });
    // Only what fails on the API's side is logged (stderr), as with serve without --log.
    const app: FastifyInstance = await buildApi(cp, { log: { level: 'error', stream: process.stderr }, sessions });
    stack.push(() => app.close());
    await listenOrFallBack(options.httpListen, (host, port) => app.listen({ host, port }));
    const apiAddress = app.server.address() as AddressInfo;

    let gatewayAt: Endpoint | null = null;
    let gateway: Gateway | null = null;
    if (options.pgListen) {
      step('starting the PostgreSQL gateway');
      // The demo offers TLS like serve does, with a self-signed pair in its data directory
      // (psql's default sslmode=prefer takes it).
      const { files } = await ensureTlsCertificate(opened.config.dataDir, []);
      const tls = loadTlsCredentials(files);
      const made = createPostgresGateway({
        cp,
        sessions,
        tls: { cert: tls.cert, key: tls.key },
        auditMode: options.auditMode ?? 'strict',
        ...(options.onGatewayLog ? { onLog: options.onGatewayLog } : {}),
      });
      gateway = made;
      stack.push(() => made.close());
      const address = await listenOrFallBack(options.pgListen, (host, port) => made.listen(host, port));
      gatewayAt = { host: address.address, port: address.port };
    }

    let stopping: Promise<{ checkpoint: CheckpointRow | undefined; size: number }> | undefined;
    return {
      dataDir: opened.config.dataDir,
      origin: ledger.origin,
      upstream,
      seed,
      api: { host: apiAddress.address, port: apiAddress.port, url: `http://${hostOf(apiAddress)}:${apiAddress.port}/api/v1` },
      gateway: gatewayAt,
      ledgerSize: () => ledger.size,
      stop: () =>
        (stopping ??= (async () => {
          // Clients first (their last statements and session ends reach the ledger), then
          // the upstream, then the final checkpoint of everything committed.
          ledger.beginClose();
          await gateway?.close();
          await app.close();
          liveChanges.stop();
          await liveChanges.settled();
          await upstream.stop();
          await ledger.drain();
          const checkpoint = await ledger.checkpoint();
          stack.length = 0;
          await opened.close();
          return { checkpoint, size: ledger.size };
        })()),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
