import { Command, InvalidArgumentError, Option } from 'commander';
import { describeStore } from '../config/store.js';
import { buildApi } from '../api/app.js';
import { SessionRegistry } from '../gateway/sessions.js';
import { terminateSessionsOnDisable } from '../gateway/live-changes.js';
import { action, withStoreOptions, withWitnessOptions } from './context.js';
import { openControlPlane, withMasterKeyOption, type ControlFlags } from './control.js';
import { loadGatewayTls, withTlsOptions, type TlsFlags } from './tls.js';

export interface Listen {
  host: string;
  port: number;
}

/** HOST:PORT, [IPv6]:PORT or :PORT (all interfaces would be a choice to make explicitly, so HOST is required). */
export function parseListen(value: string): Listen {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080');
  return { host: (m[1] ?? m[2])!, port };
}

interface ServeFlags extends ControlFlags, TlsFlags {
  httpListen: Listen;
  log: boolean;
}

/** `gatehouse serve`: the admin API (and, once they exist, the gateways) until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return withTlsOptions(
    withMasterKeyOption(
      withWitnessOptions(
        withStoreOptions(
          new Command('serve')
            .description('run the admin API (and the gateways) until SIGINT or SIGTERM')
            .addOption(
              new Option('--http-listen <host:port>', 'where the admin API listens')
                .env('GATEHOUSE_HTTP_LISTEN')
                .argParser(parseListen)
                .default(parseListen('127.0.0.1:8080'), '127.0.0.1:8080'),
            )
            .option('--log', 'log requests (received, completed: method, path, status, time) as JSON lines to stderr'),
        ),
      ),
    ),
  ).action(
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
      try {
        app = await buildApi(opened.cp, { log: flags.log ?? false, sessions });
        await app.listen({ host: flags.httpListen.host, port: flags.httpListen.port });
      } catch (error) {
        await app?.close();
        liveChanges.stop();
        await opened.close();
        throw error;
      }
      const address = app.server.address();
      const where = typeof address === 'object' && address ? `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
      process.stdout.write(`gatehouse: admin API on http://${where}/api/v1 (store: ${describeStore(opened.config)})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stdout.write(`gatehouse: ${signal}: stopping\n`);
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      // Stop taking requests, let in-flight ones finish, then sign the final checkpoint.
      await app.close();
      liveChanges.stop();
      await liveChanges.settled();
      await opened.close();
      process.stdout.write(`gatehouse: stopped; ledger size ${opened.ledger.size}\n`);
    }),
  );
}
