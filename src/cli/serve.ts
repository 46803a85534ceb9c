import { Command, Option } from 'commander';
import { parseListen, type Listen } from './listen.js';
import { describeStore } from '../config/store.js';
import { buildApi } from '../api/app.js';
import { SessionRegistry } from '../gateway/sessions.js';
import { terminateSessionsOnDisable } from '../gateway/live-changes.js';
import { action, withStoreOptions, withWitnessOptions } from './context.js';
import { openControlPlane, withMasterKeyOption, type ControlFlags } from './control.js';
import { loadGatewayTls, withTlsOptions, type TlsFlags } from './tls.js';
import { withGatewayOptions, type GatewayFlags } from './gateway-options.js';
import { createPostgresGateway } from '../gateway/postgres/index.js';
import type { Gateway } from '../gateway/engine.js';
import type { AddressInfo } from 'node:net';

interface ServeFlags extends ControlFlags, TlsFlags, GatewayFlags {
  httpListen: Listen;
  log: boolean;
}

const hostPort = (a: AddressInfo) => `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;

/** `gatehouse serve`: the admin API and the PostgreSQL gateway, until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return withGatewayOptions(withTlsOptions(
    withMasterKeyOption(
      withWitnessOptions(
        withStoreOptions(
          new Command('serve')
            .description('run the admin API and the PostgreSQL gateway until SIGINT or SIGTERM')
            .addOption(
              new Option('--http-listen <host:port>', 'where the admin API listens')
                .env('GATEHOUSE_HTTP_LISTEN')
                .argParser(parseListen)
                .default(parseListen('127.0.0.1:8080'), '127.0.0.1:8080'),
            )
            .option('--log', 'log requests and gateway sessions as JSON lines to stderr'),
        ),
      ),
    ),
  )).action(
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
      const sessions = new SessionRegistry();
      const liveChanges = terminateSessionsOnDisable(opened.cp, sessions);
      let app;
      let gateway: Gateway | undefined;
      let gatewayAddress: AddressInfo | undefined;
      try {
        app = await buildApi(opened.cp, { log: flags.log ?? false, sessions });
        await app.listen({ host: flags.httpListen.host, port: flags.httpListen.port });
        if (flags.pg) {
          gateway = createPostgresGateway({
            cp: opened.cp,
            sessions,
            tls: { cert: gatewayTls.cert, key: gatewayTls.key },
            requireTls: flags.pgRequireTls ?? false,
            auditMode: flags.auditMode,
            ...(flags.log ? { onLog: (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) } : {}),
          });
          gatewayAddress = await gateway.listen(flags.pgListen.host, flags.pgListen.port);
        }
      } catch (error) {
        await gateway?.close();
        await app?.close();
        liveChanges.stop();
        await opened.close();
        throw error;
      }
      process.stdout.write(`gatehouse: admin API on http://${hostPort(app.server.address() as AddressInfo)}/api/v1 (store: ${describeStore(opened.config)})\n`);
      if (gatewayAddress) {
        process.stdout.write(
          `gatehouse: postgres gateway on ${hostPort(gatewayAddress)} (audit: ${flags.auditMode}, tls: ${flags.pgRequireTls ? 'required' : 'offered'})\n`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stdout.write(`gatehouse: ${signal}: stopping\n`);
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      // End the sessions (their last records go in), stop taking requests, let in-flight ones
      // finish, then sign the final checkpoint.
      await gateway?.close();
      await app.close();
      liveChanges.stop();
      await liveChanges.settled();
      await opened.close();
      process.stdout.write(`gatehouse: stopped; ledger size ${opened.ledger.size}\n`);
    }),
  );
}
