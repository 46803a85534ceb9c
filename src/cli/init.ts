import { Command, Option } from 'commander';
import { describeStore, resolveStoreConfig } from '../config/store.js';
import { keyFilePath } from '../ledger/index.js';
import { SYSTEM_ACTOR } from '../control/plane.js';
import { createPrincipal } from '../control/principals.js';
import { createToken } from '../control/tokens.js';
import { parseInput, principalCreate } from '../control/inputs.js';
import { action, CliError, withStoreOptions, withWitnessOptions } from './context.js';
import { openControlPlane, withMasterKeyOption, type ControlFlags } from './control.js';
import { checkTlsFlags, describeCertificate, ensureTlsCertificate, withTlsOptions, type TlsFlags } from './tls.js';

interface InitFlags extends ControlFlags, TlsFlags {
  origin?: string;
  /** false with --no-admin. */
  admin?: string | false;
  email?: string;
  tlsHostname?: string[];
}

/**
 * `gatehouse init`: the data directory, the store (migrated), the ledger signing key, the
 * master key, the gateways' TLS certificate (self-signed unless one is given) and the first
 * admin, whose token is printed once on a line `token: …`.
 * Safe to run again: it creates only what is missing and says what it found.
 */
export function initCommand(): Command {
  return withTlsOptions(
    withMasterKeyOption(
      withWitnessOptions(
        withStoreOptions(
          new Command('init')
            .description('create the data directory, the store, the keys, the TLS certificate and the first admin (prints its token once)')
            .addOption(new Option('--origin <name>', 'the ledger origin (log name in checkpoints); default: a unique name'))
            .addOption(new Option('--admin <name>', 'name of the first admin (default: admin)'))
            .addOption(new Option('--no-admin', 'create no admin (a ledger-only store, or admins to come later)'))
            .addOption(new Option('--email <address>', 'email of the first admin'))
            .addOption(
              new Option(
                '--tls-hostname <name...>',
                'more names or addresses for the self-signed certificate (it always has localhost, 127.0.0.1, ::1 and this machine\'s name)',
              ),
            ),
        ),
      ),
    ),
  ).action(
    action(async (flags: InitFlags) => {
      const admin =
        flags.admin === false
          ? undefined
          : parseInput(principalCreate, { name: flags.admin ?? 'admin', role: 'admin', ...(flags.email ? { email: flags.email } : {}) });
      const hostnames = flags.tlsHostname ?? [];
      const given = checkTlsFlags(flags, resolveStoreConfig(flags).dataDir, hostnames);
      const opened = await openControlPlane(flags, { create: true, ...(flags.origin ? { origin: flags.origin } : {}) });
      try {
        const { cp, ledger } = opened;
        const stored = await opened.repo.meta('ledger.origin');
        if (flags.origin && stored && flags.origin !== ledger.origin) {
          throw new CliError(`this ledger's origin is already "${ledger.origin}"; an origin never changes`);
        }
        const lines = [
          `store: ${describeStore(opened.config)}`,
          `ledger origin: ${ledger.origin}`,
          `signing key: ${keyFilePath(opened.config.dataDir, flags.ledgerKey)}`,
          `verifier key: ${ledger.verifierKey}`,
          `master key: ${cp.masterKey.source}${opened.masterKeyCreated ? ' (created, mode 0600)' : ' (existing)'}`,
        ];
        // Before the admin: a failure here must not come after a token that was never printed.
        const certificate = given ?? (await ensureTlsCertificate(opened.config.dataDir, hostnames));
        lines.push(...describeCertificate(certificate));
        const principals = await cp.identity.principals(cp.now());
        if (principals.length === 0 && admin) {
          const created = await createPrincipal(cp, SYSTEM_ACTOR, admin);
          const { token } = await createToken(cp, SYSTEM_ACTOR, { name: 'init', principal: created.name });
          lines.push(`admin: ${created.name} (created)`, `token: ${token}`, '(the token is shown once; keep it secret)');
        } else {
          const admins = principals.filter((p) => p.role === 'admin').map((p) => p.name);
          lines.push(`admins: ${admins.join(', ') || '(none)'}${admin ? ' (existing; no new token)' : ''}`);
        }
        lines.push(`entries: ${ledger.size}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await opened.close();
      }
    }),
  );
}
