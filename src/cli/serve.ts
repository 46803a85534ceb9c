import { Command, Option } from 'commander';
import { parseListen, type Listen } from './listen.js';
import { describeStore } from '../config/store.js';
import { buildApi } from '../api/app.js';
import { SessionRegistry } from '../gateway/sessions.js';
import { terminateSessionsOnDisable } from '../gateway/live-changes.js';
import { action, withStoreOptions, withWitnessOptions } from './context.js';
import { openControlPlane, withMasterKeyOption, type ControlFlags } from './control.js';
import { loadGatewayTls, withTlsOptions, type TlsFlags } from './tls.js';
import { withGatewayOptions, withMysqlOptions, type GatewayFlags, type MysqlFlags } from './gateway-options.js';
import { createPostgresGateway } from '../gateway/postgres/index.js';
import { createMysqlGateway } from '../gateway/mysql/index.js';
import type { Gateway } from '../gateway/engine.js';
import type { AddressInfo } from 'node:net';
import { commitsSummary } from './ledger-commits.js';
import { MemoryReleaser, prepareRelease } from '../gateway/memory-release.js';

interface ServeFlags extends ControlFlags, TlsFlags, GatewayFlags, MysqlFlags {
  httpListen: Listen;
  log: boolean;
}

const hostPort = (a: AddressInfo) => `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;

/** `gatehouse serve`: the admin API and the PostgreSQL and MySQL gateways, until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return withMysqlOptions(withGatewayOptions(withTlsOptions(
    withMasterKeyOption(
      withWitnessOptions(
        withStoreOptions(
          new Command('serve')
            .description('run the admin API and the PostgreSQL and MySQL gateways until SIGINT or SIGTERM')
            .addOption(
              new Option('--http-listen <host:port>', 'where the admin API listens')
                .env('GATEHOUSE_HTTP_LISTEN')
                .argParser(parseListen)
                .default(parseListen('127.0.0.1:8080'), '127.0.0.1:8080'),
            )
            .option('--log', 'log every request and gateway session as JSON lines to stderr (errors are logged there always)'),
        ),
      ),
    ),
  ))).action(
    action(async (flags: ServeFlags) => {
      const opened = await openControlPlane(flags, { create: false, checkpointIntervalMs: 1000 });
      let gatewayTls;
      try {
        // Checked before anything listens: a bad file is one clear line now, not a failed
        // handshake per client later. The gateways' listeners take `gatewayTls.cert/.key`.
        gatewayTls = loadGatewayTls(flags, opened.config.dataDir);
      } catch (error) {
        await opened.close();
        throw error;
      }
      // The live sessions of this process's gateways, shown and ended through the API; an
      // account that is disabled or deleted loses its sessions at once.
      // After a burst of sessions opening or closing, the memory they freed goes back to the OS.
      await prepareRelease();
      const memory = new MemoryReleaser();
      const sessions = new SessionRegistry({ onChange: () => memory.noteActivity() });
      const liveChanges = terminateSessionsOnDisable(opened.cp, sessions);
      let app;
      const gateways: Gateway[] = [];
      const listening: string[] = [];
      // The gateways' own failures are logged always; sessions coming and going only with --log.
      const onLog = {
        onLog: (line: Record<string, unknown>) => {
          if (flags.log || line.level === 'error') process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
        },
      };
      const tls = { cert: gatewayTls.cert, key: gatewayTls.key };
      try {
        // Without --log the API still logs what fails on its side (500s, a store that cannot write).
        app = await buildApi(opened.cp, { log: flags.log ? true : { level: 'error', stream: process.stderr }, sessions });
        await app.listen({ host: flags.httpListen.host, port: flags.httpListen.port });
        if (flags.pg) {
          const gateway = createPostgresGateway({ cp: opened.cp, sessions, tls, requireTls: flags.pgRequireTls ?? false, auditMode: flags.auditMode, ...onLog });
          gateways.push(gateway);
          const address = await gateway.listen(flags.pgListen.host, flags.pgListen.port);
          listening.push(`postgres gateway on ${hostPort(address)} (audit: ${flags.auditMode}, tls: ${flags.pgRequireTls ? 'required' : 'offered'})`);
        }
        if (flags.mysql) {
          const gateway = createMysqlGateway({ cp: opened.cp, sessions, tls, requireTls: flags.mysqlRequireTls ?? false, auditMode: flags.auditMode, ...onLog });
          gateways.push(gateway);
          const address = await gateway.listen(flags.mysqlListen.host, flags.mysqlListen.port);
          listening.push(`mysql gateway on ${hostPort(address)} (audit: ${flags.auditMode}, tls: ${flags.mysqlRequireTls ? 'required' : 'offered'})`);
        }
      } catch (error) {
        await Promise.allSettled(gateways.map((g) => g.close()));
        await app?.close();
        liveChanges.stop();
        await opened.close();
        throw error;
      }
      process.stdout.write(`gatehouse: admin API on http://${hostPort(app.server.address() as AddressInfo)}/api/v1 (store: ${describeStore(opened.config)})\n`);
      for (const line of listening) process.stdout.write(`gatehouse: ${line}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stdout.write(`gatehouse: ${signal}: stopping\n`);
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      // End the sessions (their last records go in), stop taking requests, let in-flight ones
      // finish, then sign the final checkpoint. Records that cannot be written by now (a full
      // disk) are given up and logged rather than waited for.
      opened.ledger.beginClose();
      await Promise.allSettled(gateways.map((g) => g.close()));
      await app.close();
      liveChanges.stop();
      memory.close();
      await liveChanges.settled();
      await opened.close();
      process.stdout.write(`gatehouse: stopped; ledger size ${opened.ledger.size} (this run: ${commitsSummary(opened.ledger.commitStats())})\n`);
    }),
  );
}
