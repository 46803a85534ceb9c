import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { certificateNames, createSelfSignedCertificate, defaultTlsFiles, LOOPBACK_NAMES, loadTlsCredentials, type CertificateSummary, type TlsCredentials, type TlsFiles } from '../gateway/tls.js';
import { TlsError } from '../gateway/errors.js';
import { CliError } from './context.js';

export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
}

/** --tls-cert / --tls-key, on every command that sets up or runs the gateways (init, serve). */
export function withTlsOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--tls-cert <file>', "the gateways' TLS certificate, PEM (default: <data-dir>/tls/gateway.crt, self-signed by init)").env(
        'GATEHOUSE_TLS_CERT',
      ),
    )
    .addOption(
      new Option('--tls-key <file>', 'its private key, PEM, unencrypted, mode 0600 (default: <data-dir>/tls/gateway.key)').env('GATEHOUSE_TLS_KEY'),
    );
}

/** The files to use: both given, or neither (the data directory's). */
export function tlsFiles(flags: TlsFlags, dataDir: string): { files: TlsFiles; given: boolean } {
  if (!!flags.tlsCert !== !!flags.tlsKey) {
    throw new CliError('give both --tls-cert and --tls-key (GATEHOUSE_TLS_CERT, GATEHOUSE_TLS_KEY), or neither for the self-signed pair in the data directory');
  }
  return flags.tlsCert && flags.tlsKey ? { files: { cert: flags.tlsCert, key: flags.tlsKey }, given: true } : { files: defaultTlsFiles(dataDir), given: false };
}

/** This machine's name, when it can go in a certificate (clients on the network may use it). */
function machineName(): string[] {
  try {
    return certificateNames([hostname()]).slice(LOOPBACK_NAMES.length);
  } catch {
    return []; // a name no client could match (e.g. with an underscore) is left out
  }
}

export interface EnsuredCertificate {
  files: TlsFiles;
  summary: CertificateSummary;
  state: 'created' | 'existing' | 'given';
}

const operatorError = (error: unknown) => (error instanceof TlsError ? new CliError(error.message) : error);

/**
 * For init, before it makes anything (so that a typo costs nothing): the extra names must be
 * host names or addresses, and a given pair must exist and load; it is then the result.
 */
export function checkTlsFlags(flags: TlsFlags, dataDir: string, hostnames: readonly string[]): EnsuredCertificate | undefined {
  const { files, given } = tlsFiles(flags, dataDir);
  try {
    certificateNames(hostnames);
    if (!given) return undefined;
    for (const [flag, path] of [['--tls-cert (GATEHOUSE_TLS_CERT)', files.cert], ['--tls-key (GATEHOUSE_TLS_KEY)', files.key]] as const) {
      if (!existsSync(path)) throw new CliError(`${flag}: there is no file ${path}`);
    }
    return { files, summary: loadTlsCredentials(files), state: 'given' };
  } catch (error) {
    throw operatorError(error);
  }
}

/**
 * For init, with no pair given: the data directory's pair is made when neither file exists
 * (self-signed, for the loopback names, this machine's name and `hostnames`), and otherwise
 * must load (a lone file is an error naming the missing one; nothing is overwritten).
 */
export async function ensureTlsCertificate(dataDir: string, hostnames: readonly string[]): Promise<EnsuredCertificate> {
  const files = defaultTlsFiles(dataDir);
  try {
    if (!existsSync(files.cert) && !existsSync(files.key)) {
      const summary = await createSelfSignedCertificate(files, [...machineName(), ...hostnames]);
      return { files, summary, state: 'created' };
    }
    return { files, summary: loadTlsCredentials(files), state: 'existing' };
  } catch (error) {
    throw operatorError(error);
  }
}

/** The lines init prints about the certificate. */
export function describeCertificate(c: EnsuredCertificate): string[] {
  const until = c.summary.notAfter.toISOString().slice(0, 10);
  const what = c.state === 'created' ? `created, self-signed, valid until ${until}` : `${c.state}, valid until ${until}`;
  return [`tls certificate: ${c.files.cert} (${what})`, `tls fingerprint: SHA-256 ${c.summary.fingerprint}`];
}

/**
 * For serve: the gateways' credentials, loaded and checked before anything listens. An expired
 * certificate (or one about to be) is a warning, not a stop: clients that do not verify still
 * connect, and those that do will say why they refuse.
 */
export function loadGatewayTls(flags: TlsFlags, dataDir: string, now = new Date()): TlsCredentials & { files: TlsFiles } {
  const { files } = tlsFiles(flags, dataDir);
  let credentials: TlsCredentials;
  try {
    credentials = loadTlsCredentials(files);
  } catch (error) {
    throw operatorError(error);
  }
  const left = credentials.notAfter.getTime() - now.getTime();
  if (left <= 0) {
    process.stderr.write(`warning: the TLS certificate ${files.cert} expired on ${credentials.notAfter.toISOString()}; clients that verify it will refuse to connect\n`);
  } else if (left < 30 * 24 * 60 * 60 * 1000) {
    process.stderr.write(`warning: the TLS certificate ${files.cert} expires on ${credentials.notAfter.toISOString()}\n`);
  }
  return { ...credentials, files };
}
