import { Command, Option } from 'commander';
import { parseListen, type Listen } from './listen.js';
import { describeStore } from '../config/store.js';
import { buildApi } from '../api/app.js';
import { action, withStoreOptions, withWitnessOptions } from './context.js';
import { openControlPlane, withMasterKeyOption, type ControlFlags } from './control.js';

interface ServeFlags extends ControlFlags {
  httpListen: Listen;
  log: boolean;
}

/** `gatehouse serve`: the admin API (and, once they exist, the gateways) until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return withMasterKeyOption(
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
  ).action(
    action(async (flags: ServeFlags) => {
      const opened = await openControlPlane(flags, { create: false, checkpointIntervalMs: 1000 });
      let app;
      try {
        app = await buildApi(opened.cp, { log: flags.log ?? false });
        await app.listen({ host: flags.httpListen.host, port: flags.httpListen.port });
      } catch (error) {
        await app?.close();
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
      await opened.close();
      process.stdout.write(`gatehouse: stopped; ledger size ${opened.ledger.size}\n`);
    }),
  );
}
